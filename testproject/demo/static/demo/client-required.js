/**
 * The "JS client: required" page: the client, not the server, guards it.
 *
 * getSession({required: true}) reads the session from the server and, signed
 * out, sends the browser to the sign-in page with this page as callbackUrl.
 * If the session ends later (say, signed out in another tab), the page asks
 * again and goes the same way.
 */
import { useAuth } from "django-useauth";

const auth = useAuth();
const result = document.getElementById("required-result");

let checking = false;

function requireSession() {
  // One check at a time: the first one's answer triggers the subscriber below.
  if (checking) return;
  checking = true;
  auth
    .getSession({ required: true })
    .then((session) => {
      if (!session) result.textContent = "Signed out: going to the sign-in page…";
    })
    .catch((error) => {
      console.error("django-useauth demo: reading the session failed", error);
      result.textContent = `Could not read the session: ${error.message}`;
    })
    .finally(() => {
      checking = false;
    });
}

let signedIn = false;
auth.subscribe(({ status, data }) => {
  if (status === "authenticated") {
    const { name, email } = data.user ?? {};
    result.textContent = `Signed in as ${name || email || "an unnamed user"}${email ? ` (${email})` : ""}.`;
    signedIn = true;
  } else if (status === "unauthenticated" && signedIn) {
    signedIn = false;
    requireSession();
  }
});

requireSession();
