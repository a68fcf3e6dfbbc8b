/**
 * The "JS client" page: useAuth()'s actions, and its state as it changes.
 *
 * Everything here goes through the client of {% useauth_script %}; the page
 * never reloads except to visit an OAuth provider.
 */
import { useAuth } from "django-useauth";

const auth = useAuth();

// The texts of the server's sign-in page for the codes a credentials
// sign-in can answer (django_useauth/errors.py).
const SIGN_IN_ERRORS = {
  CredentialsSignin: "Sign in failed. Check the details you provided are correct.",
  MissingCSRF: "The form expired. Please try again.",
};
const SIGN_IN_DEFAULT = "Unable to sign in.";

const element = (id) => document.getElementById(id);
const result = element("client-result");
const signInForm = element("client-sign-in");
const signOutButton = element("client-sign-out");
const providerButton = element("client-sign-in-provider");

function show(text, { error = false } = {}) {
  result.textContent = text;
  result.classList.toggle("client-error", error);
}

function failed(what, error) {
  console.error(`django-useauth demo: ${what} failed`, error);
  show(`${what} failed: ${error.message}`, { error: true });
}

/** Disable `control` while `action` runs. */
async function busy(control, action) {
  control.disabled = true;
  try {
    await action();
  } finally {
    control.disabled = false;
  }
}

auth.subscribe(({ status, data, lastRefreshedAt }) => {
  element("client-status").textContent = status;
  element("client-data").textContent = JSON.stringify(data, null, 2);
  element("client-last-refreshed-at").textContent = lastRefreshedAt ? lastRefreshedAt.toISOString() : "null";
});

signInForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const submit = signInForm.querySelector("button[type=submit]");
  busy(submit, async () => {
    const fields = new FormData(signInForm);
    show("Signing in…");
    try {
      const { ok, error } = await auth.signIn("credentials", {
        redirect: false,
        username: fields.get("username"),
        password: fields.get("password"),
      });
      if (ok) {
        signInForm.reset();
        show("Signed in.");
        // The form is now hidden; keep the keyboard focus on the page.
        signOutButton.focus();
      } else {
        show(SIGN_IN_ERRORS[error] ?? SIGN_IN_DEFAULT, { error: true });
        element("client-password").select();
      }
    } catch (error) {
      failed("Signing in", error);
    }
  });
});

signOutButton.addEventListener("click", () =>
  busy(signOutButton, async () => {
    show("Signing out…");
    try {
      const { error } = await auth.signOut({ redirect: false });
      if (error) {
        show(error === "MissingCSRF" ? "The form expired. Please try again." : `Signing out failed (${error}).`, {
          error: true,
        });
      } else {
        show("Signed out.");
        element("client-username").focus();
      }
    } catch (error) {
      failed("Signing out", error);
    }
  }),
);

element("client-refresh").addEventListener("click", (event) =>
  busy(event.currentTarget, async () => {
    try {
      await auth.refresh();
      show(`Session refreshed at ${auth.lastRefreshedAt.toLocaleTimeString()}.`);
    } catch (error) {
      failed("Refreshing", error);
    }
  }),
);

providerButton.addEventListener("click", () =>
  busy(providerButton, async () => {
    show("Going to the identity provider…");
    try {
      // Resolves just before the browser leaves for the provider.
      await auth.signIn(providerButton.dataset.provider);
    } catch (error) {
      failed("Signing in", error);
    }
  }),
);

// Offer the identity provider only if the server has it.
auth
  .getProviders()
  .then((providers) => {
    const provider = providers[providerButton.dataset.provider];
    if (!provider) return;
    providerButton.textContent = `Sign in with ${provider.name}`;
    element("client-provider").hidden = false;
  })
  .catch((error) => failed("Reading the providers", error));
