// The console's Print and "E-mail transcript…" buttons (docs/protocol.md, "Transcript by
// e-mail"): print opens the server's print view of the dialog in a new tab; the e-mail form
// posts to /api/dialogs/<id>/transcript. The outcome comes back later as a dialog.mail entry.

const $ = (id) => document.getElementById(id);

/** The message of a JSON error answer, or a generic one. */
async function errorOf(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch {
    // not JSON
  }
  return `the server answered ${response.status}`;
}

export async function mailTranscript(dialogId, to, note) {
  const response = await fetch(`/api/dialogs/${encodeURIComponent(dialogId)}/transcript`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ to, note }),
  });
  if (response.status === 202) return { ok: true, body: await response.json() };
  return { ok: false, message: await errorOf(response) };
}

export function printUrl(dialogId) {
  return `/dialogs/${encodeURIComponent(dialogId)}/print`;
}

/** Wire the two buttons; ``openDialog()`` gives the dialog shown (or null). */
export function wireMailAndPrint(openDialog) {
  $("print").addEventListener("click", () => {
    const dialog = openDialog();
    if (dialog) window.open(printUrl(dialog.id), "_blank", "noopener");
  });
  const modal = $("mail-dialog");
  const status = $("mail-status");
  $("mail-transcript").addEventListener("click", () => {
    const dialog = openDialog();
    if (!dialog) return;
    $("mail-to").value = (dialog.info && dialog.info.email) || "";
    $("mail-note").value = "";
    status.textContent = "";
    modal.dataset.dialog = dialog.id;
    modal.showModal();
  });
  $("mail-cancel").addEventListener("click", () => modal.close());
  $("mail-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = $("mail-form").querySelector("[type=submit]");
    submit.disabled = true;
    status.textContent = "Queuing…";
    try {
      const answer = await mailTranscript(modal.dataset.dialog, $("mail-to").value.trim(), $("mail-note").value.trim());
      if (answer.ok) {
        status.textContent = `Queued for ${answer.body.to}.`;
        modal.close();
      } else {
        status.textContent = answer.message;
      }
    } catch {
      status.textContent = "The server is unreachable; try again.";
    } finally {
      submit.disabled = false;
    }
  });
}
