// Small DOM helpers. Every piece of data goes in through textContent or an
// attribute value, never through innerHTML: chat text is text, not markup.

/**
 * Build an element: h("div", {class: "x", "data-testid": "y"}, child, "text").
 * Strings among the children become text nodes; null/undefined/false are skipped.
 * An attribute whose value is null, undefined or false is left out.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  let handled = false;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) {
      // Handlers are functions only: an inline "on..." attribute string is never made.
      if (typeof value !== "function") throw new TypeError(`h(): ${name} expects a function`);
      node.addEventListener(name.slice(2), value);
      handled = true;
    } else if (value === true) {
      node.setAttribute(name, "");
    } else {
      node.setAttribute(name, String(value));
    }
  }
  if (handled) HANDLED.add(node);
  append(node, children);
  return node;
}

const HANDLED = new WeakSet();

/** Whether h() gave `node` an event handler (an equal-looking node may still act differently). */
export function hasHandlers(node) {
  return HANDLED.has(node);
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

/** Replace every child of `node` with `children`. */
export function replaceChildren(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

/** Set the text of an element (textContent: markup in `text` shows literally). */
export function setText(node, text) {
  node.textContent = text === null || text === undefined ? "" : String(text);
}
