// Times on the wire are wall-clock seconds since the epoch (floats).

/** Seconds now, as the server counts them (wall clock). */
export function nowSeconds() {
  return Date.now() / 1000;
}

/** "0:07", "3:25", "1:02:09" for a number of seconds (negative counts as 0). */
export function formatDuration(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  if (h > 0) return `${h}:${String(m).padStart(2, "0")}:${ss}`;
  return `${m}:${ss}`;
}

/** "14:03" for a wall-clock time in seconds. */
export function formatClock(at) {
  const d = new Date(at * 1000);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/**
 * Call `fn` once a second while the page lives; returns a function that stops it.
 */
export function everySecond(fn) {
  const id = setInterval(fn, 1000);
  return () => clearInterval(id);
}
