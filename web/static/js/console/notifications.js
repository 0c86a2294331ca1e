// Telling the operator about a new dialog or a visitor message in a dialog not in view:
// a line for screen readers (aria-live), an optional sound (Web Audio, off by default,
// the choice kept in localStorage) and a desktop notification (asked for from a button,
// never on load). The flashing tab, the unread badge and the title count are views.js's.

import { setText } from "../dom.js";

const SOUND_KEY = "frontdesk.console.sound";
const BODY_MAX = 120;

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage refused: the setting lasts as long as the page
  }
}

/** Two short soft tones, generated (no audio file). */
function chime(context) {
  const start = context.currentTime + 0.01;
  for (const [offset, frequency] of [[0, 880], [0.16, 1175]]) {
    const tone = context.createOscillator();
    const gain = context.createGain();
    tone.type = "sine";
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.14);
    tone.connect(gain).connect(context.destination);
    tone.start(start + offset);
    tone.stop(start + offset + 0.15);
  }
}

export class Notifications {
  /**
   * @param {object} parts
   * @param {HTMLInputElement} parts.sound     the "Sound" checkbox
   * @param {HTMLButtonElement} parts.desktop  the button that asks for desktop notifications
   * @param {HTMLElement} parts.state          says what the browser allows
   * @param {HTMLElement} parts.announce       an aria-live region
   * @param {(dialogId: string) => void} parts.onOpen  a click on a desktop notification
   */
  constructor({ sound, desktop, state, announce, onOpen }) {
    this.sound = sound;
    this.desktop = desktop;
    this.state = state;
    this.announce = announce;
    this.onOpen = onOpen;
    this.audio = null;
    this.played = 0; // chimes played (read by the browser tests)
  }

  start() {
    const store = storage();
    this.sound.checked = Boolean(store && store.getItem(SOUND_KEY) === "on");
    this.sound.addEventListener("change", () => {
      const on = this.sound.checked;
      if (store) {
        try {
          if (on) store.setItem(SOUND_KEY, "on");
          else store.removeItem(SOUND_KEY);
        } catch {
          // quota: the choice lasts as long as the page
        }
      }
      if (on) this.unlockAudio(); // a click: the browser lets the audio start now
    });
    this.desktop.addEventListener("click", () => this.askPermission());
    this.showPermission();
  }

  get supported() {
    return typeof window.Notification === "function";
  }

  showPermission() {
    if (!this.supported) {
      this.desktop.hidden = true;
      setText(this.state, "");
      return;
    }
    const permission = window.Notification.permission;
    this.desktop.hidden = permission !== "default"; // asked once: the browser keeps the answer
    setText(
      this.state,
      permission === "granted" ? "Desktop notifications on" : permission === "denied" ? "Desktop notifications blocked" : "",
    );
  }

  async askPermission() {
    if (!this.supported) return;
    try {
      await window.Notification.requestPermission();
    } catch {
      // an old browser without the promise form: nothing asked
    }
    this.showPermission();
  }

  unlockAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    try {
      if (!this.audio) this.audio = new Context();
      if (this.audio.state === "suspended") this.audio.resume().catch(() => {});
    } catch {
      this.audio = null;
    }
    return this.audio;
  }

  /** The page is not what the operator looks at: a desktop notification is worth it. */
  get pageAway() {
    return document.visibilityState !== "visible" || !document.hasFocus();
  }

  /** From the model: {kind: "dialog" | "message", dialog, text}. */
  notice({ kind, dialog, text = "" }) {
    const name = dialog.visitorName || "a visitor";
    const title = kind === "dialog" ? `New dialog with ${name}` : `New message from ${name}`;
    setText(this.announce, title);
    if (this.sound.checked) {
      const context = this.unlockAudio();
      if (context) {
        try {
          chime(context);
          this.played += 1;
        } catch {
          // no audio output: the other signals remain
        }
      }
    }
    if (this.supported && window.Notification.permission === "granted" && this.pageAway) {
      const body = text.length > BODY_MAX ? `${text.slice(0, BODY_MAX - 1)}…` : text;
      try {
        const shown = new window.Notification(title, { body, tag: `frontdesk-${dialog.id}` });
        shown.onclick = () => {
          window.focus();
          this.onOpen(dialog.id);
          shown.close();
        };
      } catch {
        // a browser that only shows them from a service worker: the tab still flashes
      }
    }
  }
}
