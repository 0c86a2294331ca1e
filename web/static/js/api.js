// The small JSON API of the server: who am I, and the public configuration.

/** The seven statuses (engine/status.py), used when /api/config does not list them. */
export const DEFAULT_STATUSES = [
  { value: "connected", label: "Connected" },
  { value: "on_break", label: "On break" },
  { value: "training", label: "Training" },
  { value: "phone", label: "Phone" },
  { value: "talking_with_supervisor", label: "Talking with supervisor" },
  { value: "no_new_dialog", label: "No new dialog" },
  { value: "looking_for_information", label: "Looking for information" },
];

/** Accepts [{value,label}], [{status|id|key,label}] or {value: label}. */
export function normalizeStatuses(raw) {
  let list = [];
  if (Array.isArray(raw)) {
    list = raw
      .map((s) => (typeof s === "string" ? { value: s, label: s } : { value: s.value || s.status || s.id || s.key, label: s.label || s.name, takes_new_dialogs: s.takes_new_dialogs }))
      .filter((s) => typeof s.value === "string");
  } else if (raw && typeof raw === "object") {
    list = Object.entries(raw).map(([value, label]) => ({ value, label: String(label) }));
  }
  if (!list.length) return DEFAULT_STATUSES;
  return list.map((s) => ({
    value: s.value,
    label: s.label || labelFor(s.value),
    takes_new_dialogs: s.takes_new_dialogs ?? s.value === "connected",
  }));
}

export function labelFor(status) {
  const known = DEFAULT_STATUSES.find((s) => s.value === status);
  return known ? known.label : String(status || "");
}

/** Accepts [{key,label}] or ["key"]. */
export function normalizeFields(raw) {
  if (!Array.isArray(raw)) return [];
  return raw
    .map((f) => (typeof f === "string" ? { key: f, label: f } : { key: f.key || f.name, label: f.label || f.key || f.name }))
    .filter((f) => typeof f.key === "string");
}

/** GET /api/config, normalized; a missing or failing endpoint gives the defaults. */
export async function loadConfig() {
  let raw = {};
  try {
    const response = await fetch("/api/config", { credentials: "same-origin" });
    if (response.ok) raw = await response.json();
  } catch {
    raw = {};
  }
  const nodes = Array.isArray(raw.nodes) ? raw.nodes.filter((u) => typeof u === "string") : [];
  return {
    statuses: normalizeStatuses(raw.statuses),
    fields: normalizeFields(raw.visitor_info_fields),
    nodes: nodes.length ? nodes : [location.origin],
    raw,
  };
}

/** GET /api/me: the logged-in user ({id, name, role}), or null when not logged in. */
/** Whether the user of `/api/me` holds `role` (`roles` is a set; an old answer has `role` only). */
export function hasRole(me, role) {
  const roles = me && Array.isArray(me.roles) ? me.roles : me && me.role ? [me.role] : [];
  return roles.includes(role);
}

export async function loadMe() {
  const response = await fetch("/api/me", { credentials: "same-origin" });
  if (response.status === 401 || response.status === 403) return null;
  if (!response.ok) throw new Error(`GET /api/me answered HTTP ${response.status}`);
  const body = await response.json();
  return body && body.user ? body.user : body;
}

export function goToLogin(next) {
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

export async function logout() {
  try {
    await fetch("/api/logout", { method: "POST", credentials: "same-origin" });
  } finally {
    location.assign("/login");
  }
}
