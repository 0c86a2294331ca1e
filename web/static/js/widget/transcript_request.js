// "E-mail me the transcript" under an ended chat (docs/widget.md): the visitor types an
// address and the server queues the transcript (POST /api/dialogs/<id>/transcript with the
// dialog's token). Posted as text/plain so a customer's site needs no CORS preflight; the
// server answers an allowed origin with Access-Control-Allow-Origin.

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
 * The form; ``current()`` gives {dialog, token} of the ended chat.
 * Returns {element, reset}: reset() clears it for the next chat.
 */
export function transcriptRequest(h, server, current) {
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
    try {
      const response = await fetch(new URL(`/api/dialogs/${encodeURIComponent(dialog)}/transcript`, server), {
        method: "POST",
        credentials: "omit",
        headers: { "content-type": "text/plain" },
        body: JSON.stringify({ token, to: input.value.trim() }),
      });
      if (response.status === 202) {
        const body = await response.json();
        status.textContent = `On its way to ${body.to}.`;
        return; // stays disabled: one request per click is enough
      }
      status.textContent = await messageOf(response);
    } catch {
      status.textContent = "The server is unreachable; try again.";
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
