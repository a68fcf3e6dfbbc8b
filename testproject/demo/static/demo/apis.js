/**
 * The "APIs" page: call the demo's DRF and django-ninja endpoints with the
 * session cookie, and show each answer as it came (status line and body).
 *
 * A POST sends Django's CSRF token in the X-CSRFToken header, or leaves it
 * out to show the 403 that both frameworks answer without it.
 */
import { useAuth } from "django-useauth";

const auth = useAuth();

async function call(url, { method = "GET", csrf = false } = {}) {
  const headers = { Accept: "application/json" };
  let body;
  if (method === "POST") {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify({ message: "hello" });
    if (csrf) headers["X-CSRFToken"] = await auth.getCsrfToken();
  }
  const response = await fetch(url, { method, headers, body, credentials: "same-origin" });
  const text = await response.text();
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: show it as it came.
  }
  return `HTTP ${response.status} ${response.statusText}\n${shown}`;
}

for (const section of document.querySelectorAll("section[data-api]")) {
  const answer = section.querySelector(".api-answer");
  const actions = {
    me: () => call(section.dataset.me),
    "echo-without-csrf": () => call(section.dataset.echo, { method: "POST" }),
    echo: () => call(section.dataset.echo, { method: "POST", csrf: true }),
  };
  for (const button of section.querySelectorAll("button[data-action]")) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      answer.textContent = "Calling…";
      try {
        answer.textContent = await actions[button.dataset.action]();
      } catch (error) {
        answer.textContent = `The request failed: ${error.message}`;
      } finally {
        button.disabled = false;
      }
    });
  }
}
