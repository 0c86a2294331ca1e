// The offline form (docs/widget.md, "Offline form"): shown instead of the start form when
// GET /api/availability says the site is closed or no operator takes dialogs. The visitor
// leaves a name, an address and a message (POST /api/offline, text/plain: no CORS
// preflight); the next opening is shown when the hours know it.

/** What the server says (GET /api/availability); null when it cannot be read (then the
 * start form is shown, as before availability existed). */
export async function fetchAvailability(server) {
  try {
    const response = await fetch(new URL("/api/availability", server), { credentials: "omit" });
    if (!response.ok) return null;
    const body = await response.json();
    return body && typeof body.open === "boolean" ? body : null;
  } catch {
    return null;
  }
}

/** "Monday 09:00" in the visitor's language and time zone. */
export function openingText(seconds) {
  const when = new Date(seconds * 1000);
  return when.toLocaleString(undefined, {
    weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit",
  });
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
 * The form; ``options`` {server, name, email}. Returns {element, show(availability), focus()}.
 */
export function offlineForm(h, options) {
  const field = (label, control) => h("label", {}, label, control);
  const name = h("input", {
    name: "name", autocomplete: "name", maxlength: "100", required: true,
    "data-testid": "fd-offline-name", value: options.name || "",
  });
  const email = h("input", {
    name: "email", type: "email", autocomplete: "email", maxlength: "254", required: true,
    placeholder: "you@example.com", "data-testid": "fd-offline-email", value: options.email || "",
  });
  const message = h("textarea", {
    name: "message", rows: 4, maxlength: "4000", required: true, "data-testid": "fd-offline-message",
  });
  const why = h("p", { "data-testid": "fd-offline-why" });
  const opens = h("p", { class: "fd-offline-opens", "data-testid": "fd-offline-opens", hidden: true });
  const status = h("p", { class: "fd-offline-status", role: "status", "data-testid": "fd-offline-status" });
  const button = h("button", { type: "submit", "data-testid": "fd-offline-send" }, "Send message");
  const form = h(
    "form",
    { class: "fd-start fd-offline", "data-testid": "fd-offline-form", hidden: true },
    why,
    opens,
    h("p", {}, "Leave us a message and we'll answer by e-mail."),
    field("Name", name),
    field("E-mail", email),
    field("Message", message),
    button,
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.textContent = "Sending…";
    const body = JSON.stringify({ name: name.value.trim(), email: email.value.trim(), message: message.value });
    let response = null;
    try {
      response = await fetch(new URL("/api/offline", options.server), {
        method: "POST", credentials: "omit", headers: { "content-type": "text/plain" }, body,
      });
    } catch {
      response = null;
    }
    if (response === null) {
      status.textContent = "The server is unreachable; try again.";
    } else if (response.status === 201) {
      status.textContent = `Thank you! We got your message and will answer at ${email.value.trim()}.`;
      message.value = "";
      for (const control of [name, email, message]) control.disabled = true;
      return; // stays disabled: one message is enough
    } else {
      status.textContent = await messageOf(response);
    }
    button.disabled = false;
  });
  return {
    element: form,
    show(availability) {
      const closed = availability && availability.reason === "closed";
      why.textContent = closed ? "We're closed right now." : "No one is available to chat right now.";
      const next = availability ? availability.next_opening : null;
      opens.hidden = typeof next !== "number";
      opens.textContent = opens.hidden ? "" : `We open again ${openingText(next)}.`;
    },
    focus() {
      (name.value ? (email.value ? message : email) : name).focus();
    },
  };
}
