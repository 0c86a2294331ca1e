// The widget's own store: the visitor's dialog kept per site in localStorage, so it
// survives a closed tab and a browser restart, and every tab of the site shares it.
// (The console keeps its per-tab SessionState.) A record not used for `keepMs` is
// forgotten on load; `watch` tells this tab when another tab changed or cleared it.

export const DEFAULT_KEEP_MS = 24 * 3600 * 1000;

export class WidgetStore {
  /**
   * @param {string} key
   * @param {number} keepMs  how long an unused record is kept (0: not at all past this page)
   * @param {() => number} now
   */
  constructor(key, keepMs = DEFAULT_KEEP_MS, now = () => Date.now()) {
    this.key = key;
    this.keepMs = keepMs;
    this.now = now;
  }

  static storage() {
    try {
      return window.localStorage;
    } catch {
      return null;
    }
  }

  /** The record, or null (none, unreadable, or older than keepMs: then removed). */
  load() {
    const storage = WidgetStore.storage();
    if (!storage) return null;
    try {
      const raw = storage.getItem(this.key);
      const record = raw ? JSON.parse(raw) : null;
      if (!record || typeof record !== "object") return null;
      if (typeof record.savedAt === "number" && this.now() - record.savedAt > this.keepMs) {
        storage.removeItem(this.key);
        return null;
      }
      return record;
    } catch {
      return null;
    }
  }

  save(value) {
    const storage = WidgetStore.storage();
    if (!storage) return;
    try {
      storage.setItem(this.key, JSON.stringify({ ...value, savedAt: this.now() }));
    } catch {
      // Full or unavailable storage: this tab goes on; a new tab starts afresh.
    }
  }

  clear() {
    const storage = WidgetStore.storage();
    if (!storage) return;
    try {
      storage.removeItem(this.key);
    } catch {
      // nothing to clear
    }
  }

  /**
   * Call `changed(record)` when another tab writes the record (`null`: it was removed).
   * Returns a function that stops watching.
   */
  watch(changed) {
    const onStorage = (event) => {
      if (event.key !== this.key && event.key !== null) return; // null: storage.clear()
      let record = null;
      try {
        record = event.newValue ? JSON.parse(event.newValue) : null;
      } catch {
        return;
      }
      changed(record);
    };
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }
}
