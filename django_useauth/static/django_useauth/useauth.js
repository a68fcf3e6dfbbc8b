/**
 * django-useauth in the browser: `useAuth()` for pages served by Django.
 *
 * A dependency-free ES module with no build step. It speaks the NextAuth v4
 * wire protocol to the /api/auth endpoints and mirrors nuxt-auth's useAuth():
 *
 *   import { useAuth } from "django-useauth";
 *   const auth = useAuth();
 *   auth.subscribe(({ status, data, lastRefreshedAt }) => { ... });
 *   const result = await auth.signIn("credentials", { username, password, redirect: false });
 *
 * `{% useauth_script %}` embeds the server's session (so the first paint
 * already shows the right status) and the refresh settings, and its import map
 * gives this file's static URL the name "django-useauth"; without the data
 * the state starts as "loading" and the session is fetched at once.
 *
 * One client per page: every copy of this file a page loads (under another
 * URL, a hashed name, a query string, inside a bundle) hands out the objects
 * of the first one, so useAuth() is one object and AuthError one class.
 * useauth.d.ts beside this file declares the API for TypeScript.
 *
 * Unlike nuxt-auth, a failed request is an error (the promise rejects with an
 * AuthError) and never becomes session data, and signIn() without redirect
 * reports a failure as `ok: false`. Unlike next-auth, a failed session fetch
 * never reads as signed out: the state keeps its status and data, `error`
 * says why, and after a 503 the session is fetched again once Retry-After
 * has passed, until the server answers.
 */

const DATA_ELEMENT_ID = "useauth-data";
const CHANNEL_NAME = "useauth";
const STORAGE_KEY = "useauth.message";
// Focus and visibility events often come in pairs; one refresh is enough.
const FOCUS_DEBOUNCE_MS = 1000;
// Bounds of the wait a 503's Retry-After asks for before the session is
// fetched again: never a burst of requests, never a wait of hours.
const MIN_RETRY_SECONDS = 1;
const MAX_RETRY_SECONDS = 300;
// Where the first copy of this module on the page registers its exports
// (Symbol.for: the same key in every copy, and no clash with page globals).
const REGISTRY_KEY = Symbol.for("django-useauth");

// Exported as AuthError below, unless another copy of the module registered
// first; only the registering copy creates the client, so it throws these.
class LocalAuthError extends Error {
  constructor(message, { status = null, url = null, cause = undefined } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "AuthError";
    this.status = status;
    this.url = url;
  }
}

function readHydration() {
  const element = typeof document === "undefined" ? null : document.getElementById(DATA_ELEMENT_ID);
  if (!element) return null;
  try {
    return JSON.parse(element.textContent);
  } catch {
    return null;
  }
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function errorOf(url, basePath) {
  // NextAuth signals failures only in the query of the URL it answers with:
  // its error page, or its sign-in / sign-out page with csrf=true. The query
  // of any other URL (the callbackUrl) is the page's own business.
  const parsed = new URL(url, window.location.href);
  if (parsed.origin !== window.location.origin) return null;
  if (parsed.pathname === `${basePath}/error`) return parsed.searchParams.get("error") || "Default";
  const csrfPage = parsed.pathname === `${basePath}/signin` || parsed.pathname === `${basePath}/signout`;
  return csrfPage && parsed.searchParams.get("csrf") === "true" ? "MissingCSRF" : null;
}

function retryAfterSeconds(response) {
  // A 503's Retry-After (seconds, or an HTTP date), within the bounds; null
  // for any other answer, or a header that is neither.
  const value = response.status === 503 ? response.headers.get("Retry-After") : null;
  if (value === null) return null;
  const seconds = /^\s*\d+\s*$/.test(value) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  if (Number.isNaN(seconds)) return null;
  return Math.min(Math.max(seconds, MIN_RETRY_SECONDS), MAX_RETRY_SECONDS);
}

function formBody(fields) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null) body.append(name, String(value));
  }
  return body;
}

function createAuth(options) {
  const settings = {
    basePath: "/api/auth",
    refreshOnFocus: true,
    refreshInterval: 0,
    navigate: (url) => {
      const here = window.location.href.split("#")[0];
      window.location.assign(url);
      // Assigning a URL that differs from this one only by its hash does not
      // load the page, which would then show a stale state; reload it. (Any
      // other URL is loaded by assign(), and a reload would cancel that.)
      if (url.includes("#") && url.split("#")[0] === here) window.location.reload();
    },
    ...options,
  };
  const hydrated = isObject(options.hydration) ? options.hydration : null;
  let state = {
    data: hydrated && isObject(hydrated.session) && Object.keys(hydrated.session).length ? hydrated.session : null,
    loading: hydrated === null,
    lastRefreshedAt: hydrated && hydrated.lastRefreshedAt ? new Date(hydrated.lastRefreshedAt) : null,
    error: null,
  };
  const subscribers = new Set();
  // Bumped by every change the client makes or hears of (sign-in, sign-out,
  // update, another tab). A session request started before the latest change
  // is not trusted: its answer may predate the change.
  let generation = 0;
  let inFlight = null;
  let lastFocusRefresh = 0;
  // The fetch a 503 asked to retry later: its timer, then whether it is due
  // (it waits for the page to be visible).
  let retryTimer = null;
  let retryDue = false;

  function snapshot() {
    return {
      status: state.loading ? "loading" : state.data ? "authenticated" : "unauthenticated",
      data: state.data,
      lastRefreshedAt: state.lastRefreshedAt,
      error: state.error,
    };
  }

  function setState(changes) {
    state = { ...state, ...changes };
    const current = snapshot();
    for (const subscriber of subscribers) {
      try {
        subscriber(current);
      } catch (error) {
        console.error("django-useauth: a subscriber threw", error);
      }
    }
    document.dispatchEvent(new CustomEvent("useauth:change", { detail: current }));
  }

  function navigate(url) {
    const target = new URL(url, window.location.href);
    // The server validates every URL it answers with; this keeps a bug or a
    // proxy from turning a navigation into script.
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      throw new LocalAuthError(`Refusing to navigate to ${target.protocol} URL`, { url });
    }
    settings.navigate(target.href);
  }

  async function request(path, { method = "GET", body = undefined, query = undefined } = {}) {
    const search = query && Object.keys(query).length ? `?${new URLSearchParams(query)}` : "";
    const url = `${settings.basePath}/${path}${search}`;
    const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body instanceof URLSearchParams) {
      init.headers["Content-Type"] = "application/x-www-form-urlencoded";
      init.body = body;
    } else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch (cause) {
      throw new LocalAuthError(`${method} ${url} failed`, { cause, url });
    }
    let json = null;
    try {
      json = await response.json();
    } catch {
      // Not JSON: reported below with the status.
    }
    return { response, json, url };
  }

  // -- the channel other tabs listen on ----------------------------------------

  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL_NAME) : null;

  function broadcast(event) {
    const message = { event, at: Date.now() };
    if (channel) channel.postMessage(message);
    else {
      try {
        window.localStorage.setItem(STORAGE_KEY, JSON.stringify(message));
      } catch {
        // Storage can be off (private mode); other tabs catch up on focus.
      }
    }
  }

  function onMessage() {
    // Another tab signed in, out or updated: ask the server rather than
    // trusting the message, and tell nobody else (no echo).
    generation += 1;
    getSession({ broadcast: false }).catch(() => {});
    refreshFormTokens();
  }

  async function refreshFormTokens() {
    // Signing in rotates the CSRF token, so the forms the server rendered
    // before ({% sign_out_form %} and friends) would post a dead one.
    const inputs = document.querySelectorAll(
      "form.useauth-sign-out input[name=csrfToken], form.useauth-credentials input[name=csrfToken], form.useauth-provider input[name=csrfToken]",
    );
    if (!inputs.length) return;
    try {
      const token = await getCsrfToken();
      for (const input of inputs) input.value = token;
    } catch {
      // The forms keep their token; the server answers "expired" if it is.
    }
  }

  if (channel) channel.addEventListener("message", onMessage);
  else window.addEventListener("storage", (event) => event.key === STORAGE_KEY && onMessage());

  // -- after a failed session fetch -----------------------------------------

  function retryLater(seconds) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      retryDue = true;
      retryIfDue();
    }, seconds * 1000);
  }

  function retryIfDue() {
    // A hidden page waits until it is shown: no requests nobody sees.
    if (!retryDue || document.visibilityState !== "visible") return;
    retryDue = false;
    fetchSession().catch(() => {});
  }

  function answered(changes) {
    // The server answered about the session: no error, no retry pending.
    clearTimeout(retryTimer);
    retryTimer = null;
    retryDue = false;
    setState({ ...changes, loading: false, lastRefreshedAt: new Date(), error: null });
  }

  document.addEventListener("visibilitychange", retryIfDue);

  // -- the public API ---------------------------------------------------------

  /**
   * Fetch the session from the server: the session object, or null signed out.
   * With `required: true` a signed-out page goes to the sign-in page (or
   * `onUnauthenticated()` runs), carrying `callbackUrl` (default: this page).
   * Rejects with AuthError on a failed request; the state keeps its status and
   * data (a page still loading stays "loading") and `error` is that AuthError.
   * After a 503 with Retry-After the session is fetched again once it has
   * passed (and the page is visible), until the server answers.
   */
  function fetchSession() {
    // One request at a time per generation; concurrent callers share it.
    if (inFlight && inFlight.generation === generation) return inFlight.promise;
    const started = generation;
    const promise = (async () => {
      let retryAfter = null;
      try {
        const { response, json, url } = await request("session");
        if (!response.ok || !isObject(json)) {
          retryAfter = retryAfterSeconds(response);
          throw new LocalAuthError(`GET session answered ${response.status}`, { status: response.status, url });
        }
        if (started !== generation) return fetchSession();
        const data = Object.keys(json).length ? json : null;
        answered({ data });
        return data;
      } catch (error) {
        if (started !== generation) return fetchSession();
        // No answer about the session (a store that is down, a proxy, the
        // network): the status stays. A page still loading that read it as
        // "signed out" would send its user to sign in for nothing.
        if (retryAfter !== null) retryLater(retryAfter);
        setState({ error });
        throw error;
      } finally {
        if (inFlight && inFlight.promise === promise) inFlight = null;
      }
    })();
    inFlight = { generation: started, promise };
    return promise;
  }

  function getSession({ required = false, callbackUrl = undefined, onUnauthenticated = undefined, broadcast: tell = false } = {}) {
    return fetchSession().then((data) => {
      if (tell) broadcast("session");
      if (required && !data) {
        if (onUnauthenticated) onUnauthenticated();
        else navigate(signInUrl(callbackUrl ?? window.location.href));
      }
      return data;
    });
  }

  function signInUrl(callbackUrl) {
    return `${settings.basePath}/signin?${new URLSearchParams({ callbackUrl })}`;
  }

  /** GET csrf: the token for the next POST. */
  async function getCsrfToken() {
    const { response, json, url } = await request("csrf");
    if (!response.ok || !isObject(json) || typeof json.csrfToken !== "string") {
      throw new LocalAuthError(`GET csrf answered ${response.status}`, { status: response.status, url });
    }
    return json.csrfToken;
  }

  /** GET providers: the providers by id. */
  async function getProviders() {
    const { response, json, url } = await request("providers");
    if (!response.ok || !isObject(json)) {
      throw new LocalAuthError(`GET providers answered ${response.status}`, { status: response.status, url });
    }
    return json;
  }

  /**
   * Sign in with `provider`. Credentials go in `options` (`username`,
   * `password`…), next to `callbackUrl` (default: this page) and `redirect`
   * (default true); the email provider takes `email` and sends a sign-in
   * e-mail (then `url` is the "check your e-mail" page). OAuth providers
   * always navigate to the provider.
   * Resolves `{ error, status, ok, url }`: `ok` is true only if the sign-in
   * (or the e-mail) worked, `error` is the NextAuth code otherwise; `url` is
   * where the server sends the browser (null after a failure without redirect).
   */
  async function signIn(provider = undefined, options = {}, authorizationParams = undefined) {
    const { callbackUrl = window.location.href, redirect = true, ...fields } = options;
    const providers = await getProviders();
    if (!provider || !Object.hasOwn(providers, provider)) {
      const url = signInUrl(callbackUrl);
      navigate(url);
      return provider
        ? { error: "InvalidProvider", status: 400, ok: false, url }
        : { error: null, status: 302, ok: true, url };
    }
    const { type } = providers[provider];
    const credentials = type === "credentials";
    const csrfToken = await getCsrfToken();
    const { response, json, url: endpoint } = await request(
      `${credentials ? "callback" : "signin"}/${encodeURIComponent(provider)}`,
      {
        method: "POST",
        body: formBody({ ...fields, csrfToken, callbackUrl, json: true }),
        query: authorizationParams,
      },
    );
    if (!isObject(json) || typeof json.url !== "string") {
      throw new LocalAuthError(`POST ${endpoint} answered ${response.status}`, { status: response.status, url: endpoint });
    }
    const error = errorOf(json.url, settings.basePath);
    const ok = response.ok && !error;
    // As next-auth: only credentials and email can stay on the page.
    if (redirect || (!credentials && type !== "email")) {
      navigate(json.url);
      return { error, status: response.status, ok, url: json.url };
    }
    if (ok && credentials) {
      generation += 1;
      await getSession({ broadcast: true });
      refreshFormTokens();
    }
    return { error, status: response.status, ok, url: error ? null : json.url };
  }

  /**
   * Sign out. With `redirect` (default true) the page goes to the answered
   * URL; without, the state becomes signed out. Resolves `{ url, error }`;
   * `error` is "MissingCSRF" (and nothing changed) if the server refused.
   */
  async function signOut({ callbackUrl = window.location.href, redirect = true } = {}) {
    const csrfToken = await getCsrfToken();
    const { response, json, url: endpoint } = await request("signout", {
      method: "POST",
      body: formBody({ csrfToken, callbackUrl, json: true }),
    });
    if (!response.ok || !isObject(json) || typeof json.url !== "string") {
      throw new LocalAuthError(`POST ${endpoint} answered ${response.status}`, { status: response.status, url: endpoint });
    }
    const error = errorOf(json.url, settings.basePath);
    if (error) return { url: json.url, error };
    generation += 1;
    broadcast("signout");
    if (redirect) navigate(json.url);
    else answered({ data: null });
    return { url: json.url, error: null };
  }

  /**
   * `useSession().update(data)`: POST the data to the server's session
   * callback; resolves the new session object (null when signed out).
   */
  async function update(data = undefined) {
    const csrfToken = await getCsrfToken();
    const { response, json, url } = await request("session", { method: "POST", body: { csrfToken, data } });
    if (!response.ok || !isObject(json)) {
      throw new LocalAuthError(`POST session answered ${response.status}`, { status: response.status, url });
    }
    const session = Object.keys(json).length ? json : null;
    generation += 1;
    answered({ data: session });
    broadcast("session");
    return session;
  }

  /** Fetch the session again (nuxt-auth's refresh()). */
  function refresh() {
    return getSession();
  }

  /** Call `callback(state)` now and on every change; returns the function that stops it. */
  function subscribe(callback) {
    subscribers.add(callback);
    callback(snapshot());
    return () => subscribers.delete(callback);
  }

  // -- refresh on focus and periodically -------------------------------------

  function refreshOnFocus() {
    if (document.visibilityState !== "visible") return;
    const now = Date.now();
    if (now - lastFocusRefresh < FOCUS_DEBOUNCE_MS) return;
    lastFocusRefresh = now;
    refresh().catch(() => {});
  }

  if (settings.refreshOnFocus) {
    document.addEventListener("visibilitychange", refreshOnFocus);
    window.addEventListener("focus", refreshOnFocus);
  }
  if (settings.refreshInterval > 0) {
    setInterval(() => {
      if (state.data && document.visibilityState === "visible") refresh().catch(() => {});
    }, settings.refreshInterval * 1000);
  }
  if (state.loading) refresh().catch(() => {});

  return {
    get status() {
      return snapshot().status;
    },
    get data() {
      return state.data;
    },
    get lastRefreshedAt() {
      return state.lastRefreshedAt;
    },
    get error() {
      return state.error;
    },
    getSession,
    getCsrfToken,
    getProviders,
    signIn,
    signOut,
    update,
    refresh,
    subscribe,
  };
}

function register() {
  let instance = null;
  function useAuth(options = {}) {
    if (!instance) {
      const hydration = readHydration();
      // An option given as undefined keeps its default, as in the actions.
      const given = Object.entries(options).filter(([, value]) => value !== undefined);
      instance = createAuth({ ...(hydration ? hydration.options : {}), ...Object.fromEntries(given), hydration });
    }
    return instance;
  }
  const shared = Object.freeze({ AuthError: LocalAuthError, useAuth });
  // Not writable, not configurable: a later copy cannot replace the client
  // the page's modules already hold.
  Object.defineProperty(globalThis, REGISTRY_KEY, { value: shared });
  return shared;
}

// A page that loads this file twice (the tag's hashed URL and a hard-coded
// one, a query string, a bundle that includes it) evaluates it twice; the
// second copy hands out the first one's objects instead of its own.
const registry = globalThis[REGISTRY_KEY] ?? register();

/** A request to the auth endpoints failed: network error, non-2xx answer or a body that is not the expected JSON. */
export const AuthError = registry.AuthError;

/**
 * The page's auth state and actions: one object per page, shared by every
 * copy of this module. `options` (`basePath`, `refreshOnFocus`,
 * `refreshInterval` in seconds, `navigate`) apply on the first call only;
 * `{% useauth_script %}` provides them.
 */
export const useAuth = registry.useAuth;
