// "E-mail me the transcript" under an ended chat (docs/widget.md): the visitor types an
// address and the server queues the transcript (POST /api/dialogs/<id>/transcript with the
// dialog's token). Posted as text/plain so a customer's site needs no CORS preflight; the
// server answers an allowed origin with Access-Control-Allow-Origin.
//
// Not lost to a failover (issue 13): a node that does not answer, or answers 502/503/504
// (not the primary, shutting down), is followed by the next of the widget's nodes, round
// after round (RETRY_DELAY_MS apart) up to MAX_ROUNDS; any other answer is final.

import { RETRY_DELAY_MS } from "../transcript.js";

const MAX_ROUNDS = 5;
const TRY_NEXT = new Set([502, 503, 504]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** POST the request to each node in turn: the final response, or null (none answered). */
async function postToANode(nodes, dialog, body, onRetry) {
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    if (round > 0) {
      onRetry();
      await sleep(RETRY_DELAY_MS);
    }
    for (const node of nodes) {
      try {
        const response = await fetch(new URL(`/api/dialogs/${encodeURIComponent(dialog)}/transcript`, node), {
          method: "POST",
          credentials: "omit",
          headers: { "content-type": "text/plain" },
          body,
        });
        if (!TRY_NEXT.has(response.status)) return response;
      } catch {
        // unreachable: the next node
      }
    }
  }
  return null;
}

async function messageOf(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch {
    // not JSON
  }
  return `The server answered ${response.status}.`;
}

/**
 * The form; ``current()`` gives {dialog, token} of the ended chat, ``nodes()`` the base URLs
 * to try in order (the widget's server first).
 * Returns {element, reset}: reset() clears it for the next chat.
 */
export function transcriptRequest(h, server, current, nodes = () => [server]) {
  const input = h("input", {
    type: "email", required: true, maxlength: "254", autocomplete: "email",
    placeholder: "you@example.com", "aria-label": "Your e-mail address", "data-testid": "fd-transcript-to",
  });
  const button = h("button", { type: "submit", "data-testid": "fd-transcript-send" }, "E-mail me the transcript");
  const status = h("p", { class: "fd-transcript-status", role: "status", "data-testid": "fd-transcript-status" });
  const form = h("form", { class: "fd-transcript", "data-testid": "fd-transcript" }, input, button, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { dialog, token } = current();
    if (!dialog || !token) return;
    button.disabled = true;
    status.textContent = "Sending…";
    const body = JSON.stringify({ token, to: input.value.trim() });
    const retrying = () => {
      status.textContent = "The server is unreachable; trying again…";
    };
    const response = await postToANode(nodes(), dialog, body, retrying);
    if (response === null) {
      status.textContent = "The server is unreachable; try again.";
    } else if (response.status === 202) {
      try {
        const answer = await response.json();
        status.textContent = `On its way to ${answer.to}.`;
      } catch {
        status.textContent = "On its way.";
      }
      return; // stays disabled: one request per click is enough
    } else {
      status.textContent = await messageOf(response);
    }
    button.disabled = false;
  });
  return {
    element: form,
    reset() {
      input.value = "";
      status.textContent = "";
      button.disabled = false;
    },
  };
}
