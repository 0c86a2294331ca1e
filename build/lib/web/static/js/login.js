// The login form: POST /api/login as JSON, then go to `next` or the role's page.

import { setText } from "./dom.js";

/** A same-site path to go to after login, or null (never another site). */
export function safeNext(value) {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return null;
  return value;
}

async function submit(form) {
  const error = document.getElementById("login-error");
  const button = form.querySelector("button[type=submit]");
  error.hidden = true;
  button.disabled = true;
  try {
    const response = await fetch("/api/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({
        login: form.elements.login.value.trim(),
        password: form.elements.password.value,
      }),
    });
    if (!response.ok) {
      let message = "Wrong login or password.";
      if (response.status !== 401 && response.status !== 403) {
        message = `Login failed (HTTP ${response.status}).`;
      }
      try {
        const body = await response.json();
        const detail = body && body.error ? body.error.message : null;
        if (detail && response.status !== 401) message = detail;
      } catch {
        // not JSON: keep the generic message
      }
      throw new Error(message);
    }
    const body = await response.json();
    const role = body && body.user ? body.user.role : "operator";
    const next = safeNext(new URLSearchParams(location.search).get("next"));
    location.assign(next || (role === "manager" ? "/manager" : "/console"));
  } catch (err) {
    setText(error, err instanceof TypeError ? "The server cannot be reached." : err.message);
    error.hidden = false;
    button.disabled = false;
  }
}

const form = document.getElementById("login-form");
const params = new URLSearchParams(location.search);
// Without JavaScript the form posts itself (the server redirects); keep `next` for that path too.
form.elements.next.value = safeNext(params.get("next")) || "";
if (params.get("error") === "bad_credentials") {
  const error = document.getElementById("login-error");
  setText(error, "Wrong login or password.");
  error.hidden = false;
}
form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit(form);
});
