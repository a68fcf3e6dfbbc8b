/**
 * The demo's header, kept live with the browser client: the status badge, the
 * sign-in and sign-out blocks, and sign-out forms that tell the other tabs.
 *
 * The server renders all of it right for the request (so nothing flashes);
 * this module only follows later changes: a sign-in or sign-out in this tab
 * with the client, in another tab, or a session that ended while the tab was
 * in the background. "django-useauth" is the name the import map of
 * {% useauth_script %} gives the module's static URL: the very file the tag
 * loads, whatever STATIC_URL and the static files storage make of it.
 */
import { useAuth } from "django-useauth";

const auth = useAuth();

/** The badge's text for a state of `useAuth()`. */
export function statusText({ status, data }) {
  if (status === "loading") return "Loading…";
  if (status === "unauthenticated") return "Signed out";
  const user = data?.user ?? {};
  return `Signed in as ${user.name || user.email || "an unnamed user"}`;
}

auth.subscribe((state) => {
  for (const badge of document.querySelectorAll("[data-useauth-status]")) {
    const text = statusText(state);
    // Rewriting the same text would make screen readers announce it again.
    if (badge.textContent !== text) badge.textContent = text;
    badge.dataset.status = state.status;
  }
  for (const block of document.querySelectorAll("[data-useauth-show]")) {
    block.hidden = block.dataset.useauthShow !== state.status;
  }
});

// A sign-out form posts the CSRF token it was rendered with, which a sign-in
// in this or another tab has since rotated. Through the client, the form
// fetches a fresh token and the other tabs learn of the sign-out; the plain
// form still works without JavaScript.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("form.useauth-sign-out")) return;
  event.preventDefault();
  const button = form.querySelector("button");
  if (button) button.disabled = true;
  try {
    // No callbackUrl field means the server's default, as for the plain form.
    const callbackUrl = form.elements.namedItem("callbackUrl")?.value ?? null;
    const { error } = await auth.signOut({ callbackUrl });
    if (!error) return;
  } catch (error) {
    console.error("django-useauth demo: sign-out through the client failed", error);
  }
  // The client could not do it: let the server's page handle the form.
  if (button) button.disabled = false;
  form.submit();
});
