// frontdesk visitor widget. Embed with one tag:
//
//   <script type="module" src="https://chat.example.com/static/widget.js"
//           data-server="https://chat.example.com" data-name="Ada"
//           data-info-plan="Gold"></script>
//
// data-server   the frontdesk server (default: where this script came from)
// data-name     the visitor's name, prefilled in the start form (optional)
// data-info-*   visitor information shown to the operator, e.g. data-info-plan
// data-title    the panel's title (default "Chat with us")
// data-open     present: the panel starts open
// See docs/widget.md.

import { WidgetSession } from "./js/widget/session.js";
import { WidgetView } from "./js/widget/view.js";
import { DEFAULT_KEEP_MS } from "./js/widget/store.js";

/** The <script> element that loaded this module (module scripts have no currentScript). */
function ownScriptTag() {
  const self = new URL(import.meta.url);
  for (const script of document.querySelectorAll("script[src]")) {
    const url = new URL(script.getAttribute("src"), document.baseURI);
    if (url.origin === self.origin && url.pathname === self.pathname) return script;
  }
  return null;
}

/** Options from the tag's attributes. */
export function readOptions(script) {
  const ownOrigin = new URL(import.meta.url).origin;
  const attr = (name) => (script ? script.getAttribute(name) : null);
  const info = {};
  if (script) {
    for (const { name, value } of script.attributes) {
      if (name.startsWith("data-info-") && name.length > "data-info-".length) {
        info[name.slice("data-info-".length).replaceAll("-", "_")] = value;
      }
    }
  }
  const server = new URL(attr("data-server") || ownOrigin).origin;
  return {
    server,
    name: attr("data-name") || "",
    info,
    title: attr("data-title") || "Chat with us",
    open: script !== null && script.hasAttribute("data-open"),
    cssUrl: new URL("widget.css", import.meta.url).href,
  };
}

/**
 * What the server says the widget needs (GET /api/config): the node URLs for failover
 * ("nodes", the server named in the tag first) and how long a dialog is kept in the
 * browser ("widget_keep_s"). The server alone and the default keep when unknown.
 */
export async function siteConfig(server) {
  const fallback = { urls: [server], keepMs: DEFAULT_KEEP_MS };
  try {
    const response = await fetch(new URL("/api/config", server), { credentials: "omit" });
    if (!response.ok) return fallback;
    const config = await response.json();
    const keep = Number(config.widget_keep_s);
    const keepMs = Number.isFinite(keep) && keep >= 0 ? keep * 1000 : DEFAULT_KEEP_MS;
    const nodes = Array.isArray(config.nodes) ? config.nodes.filter((u) => typeof u === "string") : [];
    // The server named in the tag goes first; the others are failover targets.
    const urls = [server, ...nodes.map((u) => new URL(u).origin).filter((u) => u !== server)];
    return { urls, keepMs };
  } catch {
    return fallback;
  }
}

/** Mount the widget into the page; returns {session, view} (used by tests and hosts). */
export async function mount(options) {
  const { urls, keepMs } = await siteConfig(options.server);
  const host = document.createElement("frontdesk-widget");
  host.setAttribute("data-testid", "frontdesk-widget");
  document.body.appendChild(host);
  let view = null;
  const session = new WidgetSession({
    urls,
    keepMs,
    storageKey: `frontdesk.widget:${options.server}`,
    onChange: () => view && view.render(),
  });
  view = new WidgetView(host, options, session);
  session.start();
  view.checkAvailability(); // closed or nobody there: the offline form (docs/widget.md)
  return { session, view };
}

function boot() {
  const script = ownScriptTag();
  if (script && script.hasAttribute("data-manual")) return;
  mount(readOptions(script)).then((widget) => {
    window.frontdeskWidget = widget;
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", boot, { once: true });
} else {
  boot();
}
