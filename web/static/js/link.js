// A websocket that reconnects by itself: exponential backoff with jitter,
// rotating through a list of node URLs (failover: the backup node is the next
// URL). The owner re-sends its resume frame from onOpen each time.
//
// Keepalive: a node that is paused (SIGSTOP) or cut off keeps the TCP
// connection open and says nothing, and the browser would show the socket as
// open for minutes. So the link sends the protocol's `ping` every
// PING_INTERVAL_MS while open and counts a socket silent for SILENT_AFTER_MS
// (no frame at all, pongs included) as dead: it is dropped at once (not
// waiting for a close handshake the node cannot answer) and the next node is
// dialled. A socket that does not open within CONNECT_TIMEOUT_MS (a paused
// node still completes TCP handshakes from its backlog) is given up the same
// way. So "reconnecting" shows within SILENT_AFTER_MS + one tick of a dead node.

import { Keepalive } from "./keepalive.js";

const BASE_DELAY_MS = 400;
const MAX_DELAY_MS = 10_000;
/** With several nodes, a failed attempt waits at most this long before the next node. */
const MAX_DELAY_MULTI_MS = 3_000;
export const CONNECT_TIMEOUT_MS = 3_000;

/** "http://h:1/" + "/ws/visitor" -> "ws://h:1/ws/visitor" */
export function wsUrl(baseUrl, path) {
  const url = new URL(path, baseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/** Delay before retry number `attempt` (0-based): half fixed, half random. */
export function backoffDelay(attempt, random = Math.random, maxMs = MAX_DELAY_MS) {
  const cap = Math.min(maxMs, BASE_DELAY_MS * 2 ** attempt);
  return Math.round(cap / 2 + random() * (cap / 2));
}

export class Link {
  /**
   * @param {object} options
   * @param {string[]} options.urls  base URLs of the nodes, first is preferred
   * @param {string} options.path    websocket path, e.g. "/ws/visitor"
   * @param {(link: Link) => void} [options.onOpen]
   * @param {(frame: object) => void} [options.onFrame]
   * @param {(state: string, detail: object) => void} [options.onState]
   *   state is "connecting", "open", "waiting" (detail.delayMs) or "stopped";
   *   detail.lost is true from a lost socket until the next one opens
   * @param {(event: CloseEvent | {code: number, reason: string}) => void} [options.onClose]
   *   called when an open socket ends (also when the keepalive gives it up: code 4001)
   */
  constructor({ urls, path, onOpen, onFrame, onState, onClose }) {
    this.urls = urls.length ? [...urls] : [location.origin];
    this.path = path;
    this.onOpen = onOpen || (() => {});
    this.onFrame = onFrame || (() => {});
    this.onState = onState || (() => {});
    this.onClose = onClose || (() => {});
    this.urlIndex = 0;
    this.attempt = 0;
    this.socket = null;
    this.timer = null;
    this.stopped = true;
    this.lost = false; // a socket was lost and none opened since
    this.onOnline = () => this.retryNow();
    this.keepalive = new Keepalive({
      ping: () => this.send({ type: "ping", ref: `ping-${Date.now().toString(36)}` }),
      dead: () => this.drop(4001, "keepalive: the node stopped answering"),
    });
  }

  get connected() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  get url() {
    return this.urls[this.urlIndex % this.urls.length];
  }

  /** Replace the node list (e.g. from /api/config); takes effect at the next connect. */
  setUrls(urls) {
    if (!urls || !urls.length) return;
    const current = this.url;
    this.urls = [...urls];
    const keep = this.urls.indexOf(current);
    this.urlIndex = keep >= 0 ? keep : 0;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    clearTimeout(this.timer);
    this.timer = null;
    this.keepalive.stop();
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close(1000, "bye");
    }
    this.onState("stopped", {});
  }

  /**
   * This node refused to take writes (`not_primary`): leave it for the next node of
   * the list at once. The refusing node is never dialled first again.
   */
  moveOn() {
    if (this.stopped) return;
    if (this.urls.length > 1) this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    this.attempt = 0;
    if (this.socket) {
      this.drop(4002, "not primary: trying the next node", false);
      this.connect();
    } else {
      this.retryNow();
    }
  }

  /**
   * Give up the current socket without waiting for its close handshake (a paused
   * node never answers it), tell the owner, and, when `retry`, reconnect after the
   * backoff delay to the next node of the list.
   */
  drop(code, reason, retry = true) {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    this.keepalive.stop();
    try {
      socket.close(code, reason);
    } catch {
      // already closing
    }
    this.lost = true;
    this.onClose({ code, reason });
    if (retry) this.scheduleRetry(true);
  }

  /** Drop the current socket and connect again, to `url` if given ("go back to main"). */
  reconnectTo(url = null) {
    if (url !== null) {
      const origin = new URL(url).origin;
      let index = this.urls.findIndex((u) => new URL(u).origin === origin);
      if (index < 0) {
        this.urls.unshift(url);
        index = 0;
      }
      this.urlIndex = index;
    }
    this.attempt = 0;
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      this.keepalive.stop();
      socket.close(4000, "reconnect");
      this.connect();
    } else {
      this.retryNow();
    }
  }

  retryNow() {
    if (this.stopped || this.socket) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  }

  /** Send a frame if the socket is open; false when it is not (the caller keeps it). */
  send(frame) {
    if (!this.connected) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  connect() {
    if (this.stopped) return;
    const target = wsUrl(this.url, this.path);
    this.onState("connecting", { url: this.url, lost: this.lost });
    let socket;
    try {
      socket = new WebSocket(target);
    } catch (err) {
      this.scheduleRetry(true);
      return;
    }
    this.socket = socket;
    const opening = setTimeout(() => {
      if (this.socket === socket && socket.readyState !== WebSocket.OPEN) {
        this.socket = null;
        socket.close();
        this.scheduleRetry(true);
      }
    }, CONNECT_TIMEOUT_MS);
    socket.addEventListener("open", () => {
      clearTimeout(opening);
      if (this.socket !== socket) return;
      this.lost = false;
      this.keepalive.start();
      this.onState("open", { url: this.url });
      this.onOpen(this);
    });
    socket.addEventListener("message", (event) => {
      if (this.socket !== socket) return;
      this.keepalive.heard();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && frame.type === "hello") {
        this.attempt = 0;
        if (Array.isArray(frame.nodes)) this.setUrls(frame.nodes.filter((u) => typeof u === "string"));
      }
      this.onFrame(frame);
    });
    socket.addEventListener("close", (event) => {
      clearTimeout(opening);
      if (this.socket !== socket) return;
      this.socket = null;
      this.keepalive.stop();
      this.lost = true;
      this.onClose(event);
      this.scheduleRetry(true);
    });
  }

  /**
   * Wait, then connect again. With several nodes every failed attempt goes to the
   * next one (a dead node is not retried while the other may be primary) and the
   * wait is capped lower; with one node, plain exponential backoff.
   */
  scheduleRetry(failed = false) {
    if (this.stopped) return;
    const several = this.urls.length > 1;
    const delayMs = backoffDelay(this.attempt, Math.random, several ? MAX_DELAY_MULTI_MS : MAX_DELAY_MS);
    this.attempt += 1;
    if (several && failed) this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    this.onState("waiting", { delayMs, lost: this.lost });
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delayMs);
  }
}
