/**
 * Type declarations of django-useauth's browser client, useauth.js (beside
 * this file): `useAuth()` for pages served by Django.
 *
 *   import { useAuth } from "django-useauth";
 *
 * The session's shape can be widened by augmentation, as with next-auth:
 *
 *   declare module "django-useauth" {
 *     interface Session { theme?: string }
 *   }
 */

/**
 * The session's status: `"loading"` only before the first answer, on a page without `{% useauth_script %}`
 * (a failed fetch is no answer: the status stays what it was, see `AuthState.error`).
 */
export type AuthStatus = "loading" | "authenticated" | "unauthenticated";

/** The `user` of a session, as NextAuth shapes it. */
export interface SessionUser {
  name: string | null;
  email: string | null;
  image: string | null;
}

/** A signed-in session: `{user, expires}`, plus what the server's session callback adds (declare it by augmentation). */
export interface Session {
  user: SessionUser;
  /** When the session ends, as an ISO 8601 string in UTC (`"2026-12-27T03:40:39.871Z"`). */
  expires: string;
}

/** What `subscribe()` callbacks and `useauth:change` events receive. */
export interface AuthState {
  status: AuthStatus;
  /** The session, or `null` signed out (and while loading). */
  data: Session | null;
  /**
   * On a page with `{% useauth_script %}`, when the server last gave the session its
   * lifetime (`null` if the page was rendered signed out); then, from the first answer
   * about the session on (a fetch, `update()`, `signOut({ redirect: false })`), when the
   * client got the latest one, signed in or out. `null` until then on a page without
   * the tag.
   */
  lastRefreshedAt: Date | null;
  /**
   * Why the latest session fetch failed (a 503 while the server's session store is down, no
   * network…), or `null` once the server has answered. The status and data stay what they
   * were; after a 503 with `Retry-After` the session is fetched again once it has passed.
   */
  error: AuthError | null;
}

/** The options of the first `useAuth()` call; `{% useauth_script %}` provides them. */
export interface UseAuthOptions {
  /** Where the endpoints are mounted (default `"/api/auth"`). */
  basePath?: string | undefined;
  /** Fetch the session again when the page gets the focus or becomes visible (default `true`). */
  refreshOnFocus?: boolean | undefined;
  /** Seconds between refreshes while signed in and visible; `0` (the default) is off. */
  refreshInterval?: number | undefined;
  /** Go to an http(s) URL (default: `location.assign()`, or a reload when only the hash differs). */
  navigate?: ((url: string) => void) | undefined;
}

export interface GetSessionOptions {
  /** Signed out, go to the sign-in page (or call `onUnauthenticated`). */
  required?: boolean | undefined;
  /** Where the sign-in page sends the user back to (default: this page). */
  callbackUrl?: string | undefined;
  /** Called instead of going to the sign-in page when `required` and signed out. */
  onUnauthenticated?: (() => void) | undefined;
}

/** The options of `signIn()`: `callbackUrl`, `redirect`, and the credentials (`username`, `password`…) or the email provider's `email`, posted as form fields. */
export interface SignInOptions {
  /** Where to go after signing in (default: this page). */
  callbackUrl?: string | undefined;
  /** Navigate to the answered URL (default `true`); OAuth providers always navigate. */
  redirect?: boolean | undefined;
  /** The email provider's address: a sign-in e-mail is sent to it. */
  email?: string | undefined;
  [field: string]: string | number | boolean | null | undefined;
}

/** Extra query parameters of an OAuth provider's authorization request. */
export type SignInAuthorizationParams = Record<string, string>;

/** What `signIn()` resolves. */
export interface SignInResult {
  /** The NextAuth error code (`"CredentialsSignin"`, `"AccessDenied"`, `"MissingCSRF"`, `"InvalidProvider"`…), or `null`. */
  error: string | null;
  /** The HTTP status of the answer. */
  status: number;
  /** `true` only if the sign-in worked, or the sign-in e-mail was sent (or the page goes to the sign-in page). */
  ok: boolean;
  /** Where the server sends the browser; `null` after a failure without redirect. */
  url: string | null;
}

export interface SignOutOptions {
  /** Where to go after signing out (default: this page). */
  callbackUrl?: string | undefined;
  /** Navigate to the answered URL (default `true`); without, the state becomes signed out. */
  redirect?: boolean | undefined;
}

/** What `signOut()` resolves; `error` is `"MissingCSRF"` (and nothing changed) when the server refused. */
export interface SignOutResult {
  url: string;
  error: string | null;
}

/** A provider of `GET /api/auth/providers`. */
export interface ClientSafeProvider {
  id: string;
  name: string;
  type: "credentials" | "email" | "oauth";
  signinUrl: string;
  callbackUrl: string;
}

/** The page's auth state and actions: what `useAuth()` returns. */
export interface Auth {
  readonly status: AuthStatus;
  readonly data: Session | null;
  readonly lastRefreshedAt: Date | null;
  /** Why the latest session fetch failed, or `null` (see `AuthState.error`). */
  readonly error: AuthError | null;
  /** Fetch the session: it, or `null` signed out. Rejects with an `AuthError` when the request fails (the state keeps its status). */
  getSession(options?: GetSessionOptions): Promise<Session | null>;
  /** A CSRF token for a POST. */
  getCsrfToken(): Promise<string>;
  /** The providers by id. */
  getProviders(): Promise<Record<string, ClientSafeProvider>>;
  /** Sign in; without a known `provider` the page goes to the sign-in page. */
  signIn(
    provider?: string,
    options?: SignInOptions,
    authorizationParams?: SignInAuthorizationParams,
  ): Promise<SignInResult>;
  signOut(options?: SignOutOptions): Promise<SignOutResult>;
  /** `useSession().update(data)`: post `data` to the server's session callback; resolves the new session. */
  update(data?: unknown): Promise<Session | null>;
  /** Fetch the session again. */
  refresh(): Promise<Session | null>;
  /** Call `callback` now and on every change; returns the function that stops it (`true` if it was subscribed). */
  subscribe(callback: (state: AuthState) => void): () => boolean;
}

/** A request to the auth endpoints failed: network error, non-2xx answer or a body that is not the expected JSON. */
export class AuthError extends Error {
  constructor(
    message: string,
    options?: { status?: number | null | undefined; url?: string | null | undefined; cause?: unknown },
  );
  name: "AuthError";
  /** The HTTP status, or `null` (no answer, or a refused navigation). */
  status: number | null;
  url: string | null;
}

/**
 * The page's auth state and actions: one object per page, shared by every copy
 * of the module. `options` apply on the first call only.
 */
export function useAuth(options?: UseAuthOptions): Auth;

declare global {
  interface DocumentEventMap {
    /** Every change of the state, on `document`. */
    "useauth:change": CustomEvent<AuthState>;
  }
}
