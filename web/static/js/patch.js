// Update a rendered list in place from a freshly built one, so that a notice changes only
// what it changed: a row nobody touched stays the same element (its focus, its running
// animation, its selection stay), a row that changed is patched where it differs.

import { hasHandlers } from "./dom.js";

/**
 * Make `parent`'s children match `fresh` (elements built by dom.h), matching old and new
 * children by the attribute `key` (data-dialog, data-operator...). Old children whose key
 * is gone are removed; the others are patched (see `patch`) and moved only when the
 * order changed. A child without the attribute is always rebuilt.
 */
export function updateList(parent, fresh, key) {
  const focused = parent.contains(document.activeElement) ? document.activeElement : null;
  const old = new Map();
  for (const child of [...parent.children]) {
    const id = child.getAttribute(key);
    if (id === null || old.has(id)) child.remove();
    else old.set(id, child);
  }
  const wanted = new Set(fresh.map((node) => node.getAttribute(key)));
  for (const [id, child] of old) if (!wanted.has(id)) child.remove();
  let previous = null;
  for (const node of fresh) {
    const id = node.getAttribute(key);
    const existing = old.get(id);
    old.delete(id); // a key given twice: the second is a new child
    const kept = existing ? patch(existing, node) : node;
    const place = previous ? previous.nextSibling : parent.firstChild;
    if (kept !== place) parent.insertBefore(kept, place);
    previous = kept;
  }
  // a move takes the focus away from what it moves: give it back, or to what replaced it
  const target = focused && (focused.isConnected ? focused : SUCCESSORS.get(focused));
  if (target && target.isConnected && document.activeElement !== target) target.focus();
}

const SUCCESSORS = new WeakMap(); // a replaced node -> the node that took its place

/**
 * Patch `old` to look like `fresh` and return the node that stays in the document: `old`
 * itself when it already equals `fresh`, or when both are the same kind of element without
 * handlers (then its attributes and children are patched, recursively); otherwise `fresh`
 * takes its place, and takes the focus too if `old` had it.
 */
export function patch(old, fresh) {
  if (old.isEqualNode(fresh)) return old;
  const same = old.nodeType === Node.ELEMENT_NODE && fresh.nodeType === Node.ELEMENT_NODE && old.tagName === fresh.tagName;
  if (!same || hasHandlers(old) || hasHandlers(fresh)) {
    const focused = old.contains(document.activeElement);
    old.replaceWith(fresh);
    SUCCESSORS.set(old, fresh);
    if (focused && typeof fresh.focus === "function") fresh.focus();
    return fresh;
  }
  for (const { name } of [...old.attributes]) if (!fresh.hasAttribute(name)) old.removeAttribute(name);
  for (const { name, value } of fresh.attributes) if (old.getAttribute(name) !== value) old.setAttribute(name, value);
  const freshChildren = [...fresh.childNodes];
  const oldChildren = [...old.childNodes];
  freshChildren.forEach((child, i) => {
    if (i < oldChildren.length) patch(oldChildren[i], child);
    else old.appendChild(child);
  });
  for (const extra of oldChildren.slice(freshChildren.length)) extra.remove();
  return old;
}
