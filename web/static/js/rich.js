// A message's rendered form, inserted as the server made it and checked again here.
//
// The server renders every say once (adapters/text: markdown-it, then the nh3
// allowlist) and sends it as `html`. This module never assigns that string to
// innerHTML: it parses it in an inert document (DOMParser: no script runs, no
// image loads) and builds fresh nodes from what it finds, keeping only the
// tags of the same allowlist, and of links only an http, https or mailto
// href (with rel and target set here, whatever came). Anything else becomes
// its text. So a bug or a compromise upstream can at worst show odd text. (Should
// such HTML ever carry an on* or style attribute, Chromium reports it as a CSP violation
// while parsing, even here where nothing runs: the page's strict CSP is a second
// guard. The server's HTML never carries one.)
// Keep ALLOWED in step with adapters/text/sanitize.py.

const ALLOWED = new Set(["P", "BR", "STRONG", "EM", "UL", "OL", "LI", "A", "CODE"]);
const SCHEMES = new Set(["http:", "https:", "mailto:"]);
export const LINK_REL = "noopener noreferrer nofollow";

/** A link target this page may make: an absolute URL of an allowed scheme, or null. */
export function safeHref(value) {
  try {
    const url = new URL(value);
    return SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function rebuild(source, into) {
  for (const node of source.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      into.appendChild(document.createTextNode(node.data));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      if (!ALLOWED.has(node.tagName)) {
        into.appendChild(document.createTextNode(node.textContent || ""));
        continue;
      }
      let element;
      if (node.tagName === "A") {
        const href = safeHref(node.getAttribute("href") || "");
        if (href === null) {
          rebuild(node, into); // not a link: its content only
          continue;
        }
        element = document.createElement("a");
        element.setAttribute("href", href);
        element.setAttribute("rel", LINK_REL);
        element.setAttribute("target", "_blank");
      } else {
        element = document.createElement(node.tagName.toLowerCase());
      }
      rebuild(node, element);
      into.appendChild(element);
    }
    // comments and anything else: dropped
  }
}

/**
 * The nodes showing a `dialog.message` entry: its `html` rebuilt through the
 * allowlist, or (an entry without it) its `text` as a text node.
 */
export function messageNodes(entry) {
  if (typeof entry.html !== "string" || entry.html === "") return [String(entry.text ?? "")];
  const parsed = new DOMParser().parseFromString(entry.html, "text/html");
  const fragment = document.createDocumentFragment();
  rebuild(parsed.body, fragment);
  return [fragment];
}
