// "New monitored dialog…" (docs/protocol.md, "Monitored dialogs"): the operator opens a
// dialog for a person reached another way — name, e-mail, first message. The server opens
// it assigned to this operator (its tab comes with operator.dialog_added, marked
// "monitored") and mails the person a link that opens the widget on that dialog.

const $ = (id) => document.getElementById(id);

/** Wire the button and its form; `opened(dialogId)` once the server opened the dialog. */
export function wireMonitored(opened) {
  const dialog = $("monitored-dialog");
  const form = $("monitored-form");
  const error = $("monitored-error");
  const fields = { name: $("monitored-name"), email: $("monitored-email"), text: $("monitored-text") };
  const submit = form.querySelector("button[type=submit]");
  const showError = (message) => {
    error.textContent = message;
    error.hidden = !message;
  };
  $("new-monitored").addEventListener("click", () => {
    form.reset();
    showError("");
    dialog.showModal();
    fields.name.focus();
  });
  $("monitored-cancel").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { name: fields.name.value.trim(), email: fields.email.value.trim(), text: fields.text.value.trim() };
    const missing = Object.entries({ name: "a name", email: "an e-mail address", text: "a first message" })
      .find(([key]) => !body[key]);
    if (missing) {
      showError(`Please give ${missing[1]}.`);
      fields[missing[0]].focus();
      return;
    }
    submit.disabled = true;
    try {
      const response = await fetch("/api/monitored", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (response.status === 201 && answer.dialog) {
        dialog.close();
        opened(answer.dialog);
        return;
      }
      showError((answer.error && answer.error.message) || `The dialog was not opened (HTTP ${response.status}).`);
    } catch {
      showError("The server could not be reached: try again.");
    } finally {
      submit.disabled = false;
    }
  });
}
