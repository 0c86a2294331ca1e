// The keepalive of one socket: `ping` every PING_INTERVAL_MS, and the socket is
// dead when nothing at all (a pong or any other frame) came for SILENT_AFTER_MS.
// Used by link.js; no socket here, only two callbacks, so it is easy to reason about.

export const PING_INTERVAL_MS = 1000;
export const SILENT_AFTER_MS = 3000;
const TICK_MS = 250;

export class Keepalive {
  /**
   * @param {object} options
   * @param {() => void} options.ping  send one ping frame
   * @param {() => void} options.dead  the socket is silent for too long
   * @param {number} [options.intervalMs]
   * @param {number} [options.silentAfterMs]
   */
  constructor({ ping, dead, intervalMs = PING_INTERVAL_MS, silentAfterMs = SILENT_AFTER_MS }) {
    this.ping = ping;
    this.dead = dead;
    this.intervalMs = intervalMs;
    this.silentAfterMs = silentAfterMs;
    this.timer = null;
    this.lastHeard = 0;
    this.lastPing = 0;
  }

  start(now = Date.now()) {
    this.stop();
    this.lastHeard = now;
    this.lastPing = now;
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }

  /** A frame came on the socket. */
  heard(now = Date.now()) {
    this.lastHeard = now;
  }

  tick(now = Date.now()) {
    if (this.timer === null) return;
    if (now - this.lastHeard >= this.silentAfterMs) {
      this.stop();
      this.dead();
      return;
    }
    if (now - this.lastPing >= this.intervalMs) {
      this.lastPing = now;
      this.ping();
    }
  }
}
