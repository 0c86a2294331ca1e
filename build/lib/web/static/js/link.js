// A websocket that reconnects by itself: exponential backoff with jitter,
// rotating through a list of node URLs (failover: the backup node is the next
// URL). The owner re-sends its resume frame from onOpen each time.

const BASE_DELAY_MS = 400;
const MAX_DELAY_MS = 10_000;

/** "http://h:1/" + "/ws/visitor" -> "ws://h:1/ws/visitor" */
export function wsUrl(baseUrl, path) {
  const url = new URL(path, baseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/** Delay before retry number `attempt` (0-based): half fixed, half random. */
export function backoffDelay(attempt, random = Math.random) {
  const cap = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
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
   *   state is "connecting", "open", "waiting" (detail.delayMs) or "stopped"
   * @param {(event: CloseEvent) => void} [options.onClose]
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
    this.onOnline = () => this.retryNow();
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
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close(1000, "bye");
    }
    this.onState("stopped", {});
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
    this.onState("connecting", { url: this.url });
    let socket;
    try {
      socket = new WebSocket(target);
    } catch (err) {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (this.socket !== socket) return;
      this.onState("open", { url: this.url });
      this.onOpen(this);
    });
    socket.addEventListener("message", (event) => {
      if (this.socket !== socket) return;
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
      if (this.socket !== socket) return;
      this.socket = null;
      this.onClose(event);
      this.scheduleRetry();
    });
  }

  scheduleRetry() {
    if (this.stopped) return;
    const delayMs = backoffDelay(this.attempt);
    this.attempt += 1;
    if (this.attempt > 1) this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    this.onState("waiting", { delayMs });
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delayMs);
  }
}
