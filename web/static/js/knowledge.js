// The knowledge base's HTTP calls (docs/protocol.md, "Knowledge base"), shared by the
// console's Find knowledge panel and the manager's articles section.

async function errorOf(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch {
    // not JSON
  }
  return `The server answered ${response.status}.`;
}

async function checked(response, status = 200) {
  if (response.status !== status) throw new Error(await errorOf(response));
  return status === 204 ? null : response.json();
}

const same = { credentials: "same-origin" };
const json = (method, body) => ({ ...same, method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** The enabled articles that best answer `text`, best first: [{id, title, answer, snippet, tags, …}]. */
export async function searchKnowledge(text, limit = 5) {
  const url = new URL("/api/knowledge/search", window.location.origin);
  url.searchParams.set("q", text);
  url.searchParams.set("limit", String(limit));
  return (await checked(await fetch(url, same))).hits;
}

/** The articles near one (same tags, similar text), itself left out. */
export async function relatedKnowledge(id, limit = 5) {
  const url = new URL(`/api/knowledge/articles/${encodeURIComponent(id)}/related`, window.location.origin);
  url.searchParams.set("limit", String(limit));
  return (await checked(await fetch(url, same))).hits;
}

export async function listArticles() {
  return (await checked(await fetch("/api/knowledge/articles", same))).articles;
}

export async function createArticle(draft) {
  return checked(await fetch("/api/knowledge/articles", json("POST", draft)), 201);
}

export async function updateArticle(id, draft) {
  return checked(await fetch(`/api/knowledge/articles/${encodeURIComponent(id)}`, json("PUT", draft)));
}

export async function deleteArticle(id) {
  return checked(await fetch(`/api/knowledge/articles/${encodeURIComponent(id)}`, { ...same, method: "DELETE" }), 204);
}

/** POST an export's text back: {imported, articles}, or an Error whose `problems` name line and field. */
export async function importArticles(text, format) {
  const response = await fetch(`/api/knowledge/import?format=${format}`, {
    ...same, method: "POST", headers: { "content-type": format === "csv" ? "text/csv" : "application/json" }, body: text,
  });
  if (response.status === 201) return response.json();
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON
  }
  const error = new Error(body && body.error ? body.error.message : `The server answered ${response.status}.`);
  error.problems = body && body.error && Array.isArray(body.error.problems) ? body.error.problems : [];
  throw error;
}

export function exportUrl(format) {
  return `/api/knowledge/export?format=${format}`;
}
