// A monitored dialog's link (docs/protocol.md, "Monitored dialogs"): an operator opened a
// dialog for this person and mailed them `<page>#frontdesk-link=<dialog>.<token>`. The
// widget takes the fragment off the address bar (so it is not bookmarked or shared), then
// exchanges the single-purpose token, once, for the dialog's visitor token, which it keeps
// as its own dialog (WidgetStore) and resumes. A link that is expired, used already or not
// this dialog's is answered with a message the widget shows in place of the chat.

export const FRAGMENT = "frontdesk-link";

/** {dialog, link} of the page's fragment, or null (none, or not one of ours). */
export function linkOfPage(hash = window.location.hash) {
  const prefix = `#${FRAGMENT}=`;
  if (!hash.startsWith(prefix)) return null;
  const value = hash.slice(prefix.length);
  const dot = value.lastIndexOf(".");
  if (dot <= 0 || dot === value.length - 1) return { dialog: "", link: "" };
  return { dialog: decodeURIComponent(value.slice(0, dot)), link: value.slice(dot + 1) };
}

/** The address bar without the link's fragment. */
function dropFragment() {
  try {
    const url = new URL(window.location.href);
    url.hash = "";
    window.history.replaceState(window.history.state, "", url.href);
  } catch {
    // an unusual page (sandboxed): the fragment stays, the token is spent anyway
  }
}

/**
 * Exchange the page's link, if it has one. Returns null (no link), {dialog, token}, or
 * {error: "what to tell the person"}.
 */
export async function takeLink(server) {
  const found = linkOfPage();
  if (found === null) return null;
  dropFragment();
  if (!found.dialog || !found.link) return { error: "This chat link is incomplete: open the link from your e-mail again." };
  try {
    const response = await fetch(new URL("/api/monitored/link", server), {
      method: "POST",
      credentials: "omit",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ dialog: found.dialog, link: found.link }),
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok && typeof body.token === "string" && body.dialog === found.dialog) {
      return { dialog: body.dialog, token: body.token };
    }
    const code = body && body.error ? body.error.code : "";
    if (code === "link_used") return { error: "This chat link was used already: it works once. Ask us for a new one if you need it." };
    if (code === "link_expired") return { error: "This chat link has expired. Ask us for a new one." };
    if (code === "closed") return { error: "This chat has ended." };
    return { error: "This chat link is not valid." };
  } catch {
    return { error: "The chat could not be reached: try the link again in a moment." };
  }
}
