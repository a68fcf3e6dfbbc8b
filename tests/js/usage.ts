// A typed page module: what useauth.d.ts must accept, and what it must reject
// (each line after an expect-error directive). tsc -p tests/js checks it; a
// directive whose line type-checks is itself an error (TS2578).
import {
  type Auth,
  type AuthState,
  type AuthStatus,
  type ClientSafeProvider,
  type Session,
  type SignInResult,
  type SignOutResult,
  AuthError,
  useAuth,
} from "django-useauth";
// The same declarations by the file's relative path (a page that imports the static file itself).
import { useAuth as useAuthByPath } from "../../django_useauth/static/django_useauth/useauth.js";

// The session as a project's session callback widens it, next-auth style.
declare module "django-useauth" {
  interface Session {
    theme?: string;
  }
}

const auth: Auth = useAuth({ basePath: "/api/auth", refreshOnFocus: false, refreshInterval: 60 });
const same: Auth = useAuthByPath();
useAuth({ navigate: (url: string) => window.location.assign(url) });

const status: AuthStatus = auth.status;
const user = auth.data?.user;
const name: string | null | undefined = user?.name;
const email: string | null | undefined = user?.email;
const image: string | null | undefined = user?.image;
const expires: string | undefined = auth.data?.expires;
const theme: string | undefined = auth.data?.theme;
const refreshed: Date | null = auth.lastRefreshedAt;
// The last failed fetch of the session (a 503 while a store is down), or null.
const failure: AuthError | null = auth.error;

const stop: () => boolean = auth.subscribe((state: AuthState) => {
  if (state.status === "authenticated" && state.data) console.log(state.data.user.email);
  if (state.error?.status === 503) console.log("the server cannot reach its stores");
});
stop();

document.addEventListener("useauth:change", (event) => {
  const detail: AuthState = event.detail;
  console.log(detail.status, detail.lastRefreshedAt?.toISOString());
});

async function actions(): Promise<void> {
  const session: Session | null = await auth.getSession({ required: true, callbackUrl: "/next/" });
  await auth.getSession({ required: true, onUnauthenticated: () => console.log("signed out") });
  await auth.getSession();
  // Like the module, every option takes an explicit undefined (its default).
  await auth.getSession({ required: undefined, callbackUrl: undefined, onUnauthenticated: undefined });
  await auth.signOut({ redirect: undefined, callbackUrl: undefined });
  useAuth({ basePath: undefined, refreshOnFocus: undefined, refreshInterval: undefined, navigate: undefined });
  const token: string = await auth.getCsrfToken();
  const providers: Record<string, ClientSafeProvider> = await auth.getProviders();
  const kind: "credentials" | "email" | "oauth" | undefined = providers["github"]?.type;
  const result: SignInResult = await auth.signIn("credentials", {
    username: "ada",
    password: "secret",
    redirect: false,
    callbackUrl: "/",
  });
  if (!result.ok) console.log(result.error, result.status, result.url);
  const sent: SignInResult = await auth.signIn("email", { email: "ada@example.com", redirect: false });
  if (sent.ok) console.log(sent.url);
  await auth.signIn("github", {}, { prompt: "login" });
  await auth.signIn();
  const out: SignOutResult = await auth.signOut({ redirect: false, callbackUrl: "/bye/" });
  const outUrl: string = out.url;
  await auth.signOut();
  const updated: Session | null = await auth.update({ theme: "dark" });
  await auth.update();
  const again: Session | null = await auth.refresh();
  console.log(session, token, kind, outUrl, updated, again);
  try {
    await auth.refresh();
  } catch (error) {
    if (error instanceof AuthError) {
      const code: number | null = error.status;
      const url: string | null = error.url;
      const errorName: "AuthError" = error.name;
      console.log(code, url, errorName);
    }
  }
  new AuthError("failed", { status: 500, url: "/api/auth/session", cause: new Error("x") });
}

// What the declarations must reject.
function rejected(): void {
  // @ts-expect-error: status is read-only
  auth.status = "authenticated";
  // @ts-expect-error: error is read-only
  auth.error = null;
  // @ts-expect-error: not a status
  const wrongStatus: AuthStatus = "signedIn";
  // @ts-expect-error: data may be null
  console.log(auth.data.user);
  // @ts-expect-error: name may be null
  const notNull: string = auth.data!.user.name;
  // @ts-expect-error: expires is a string, not a Date
  const notDate: Date = auth.data!.expires;
  // @ts-expect-error: no such member
  auth.session;
  // @ts-expect-error: refreshInterval is a number of seconds
  useAuth({ refreshInterval: "60" });
  // @ts-expect-error: unknown option
  useAuth({ basepath: "/auth" });
  // @ts-expect-error: required is a boolean
  auth.getSession({ required: "yes" });
  // @ts-expect-error: redirect is a boolean
  auth.signIn("credentials", { redirect: "no" });
  // @ts-expect-error: a credential is a form field, not an object
  auth.signIn("credentials", { password: { value: "x" } });
  // @ts-expect-error: signOut takes options, not a URL
  auth.signOut("/bye/");
  // @ts-expect-error: a subscriber gets the state, not a string
  auth.subscribe((state: string) => console.log(state));
  // @ts-expect-error: the result's url may be null
  auth.signIn().then((result) => result.url.length);
  // @ts-expect-error: an AuthError's status may be null
  const notNullStatus: number = new AuthError("x").status;
  // @ts-expect-error: getCsrfToken is async
  const notAwaited: string = auth.getCsrfToken();
  console.log(wrongStatus, notNull, notDate, notNullStatus, notAwaited);
}

console.log(same, status, name, email, image, expires, theme, refreshed, failure, actions, rejected);
