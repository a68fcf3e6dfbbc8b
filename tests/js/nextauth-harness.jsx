// The real next-auth v4 browser client (next-auth/react) in a page served by
// the Django live server, for tests/test_nextauth_client.py.
//
// window.nextAuth exposes the client's functions to page.evaluate; the React
// app renders useSession() inside <SessionProvider> and records every status it
// commits (window.nextAuth.statuses) and every value update() resolves to
// (window.nextAuth.updates, and the #update-result element). The page's query
// sets the SessionProvider's polling (?refetchInterval=<seconds>) and makes
// the session required (?required=1: useSession({required: true})).

import { useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import {
  getCsrfToken,
  getProviders,
  getSession,
  SessionProvider,
  signIn,
  signOut,
  useSession,
} from "next-auth/react";

const nextAuth = {
  getCsrfToken,
  getProviders,
  getSession,
  signIn,
  signOut,
  // useSession().update of the latest render, set by <Session>.
  update: null,
  statuses: [],
  updates: [],
};
window.nextAuth = nextAuth;

const query = new URLSearchParams(window.location.search);
const refetchInterval = Number(query.get("refetchInterval") ?? 0);
const required = query.has("required");

// undefined (loading) is shown as such, null as null.
const show = (value) => (value === undefined ? "undefined" : JSON.stringify(value));

function Session() {
  const { data, status, update } = useSession({ required });
  const [result, setResult] = useState("");

  useEffect(() => {
    nextAuth.statuses.push(status);
  }, [status]);

  useEffect(() => {
    nextAuth.update = async (value) => {
      const session = await update(value);
      nextAuth.updates.push(session === undefined ? "undefined" : session);
      setResult(show(session));
      return session;
    };
  }, [update]);

  return (
    <main>
      <h1>next-auth v4 client</h1>
      <dl>
        <dt>status</dt>
        <dd>
          <pre id="status">{status}</pre>
        </dd>
        <dt>data</dt>
        <dd>
          <pre id="data">{show(data)}</pre>
        </dd>
      </dl>
      <button id="update" type="button" onClick={() => nextAuth.update({ name: "Renamed" })}>
        update({"{"}name: "Renamed"{"}"})
      </button>
      <pre id="update-result">{result}</pre>
    </main>
  );
}

createRoot(document.getElementById("root")).render(
  <SessionProvider refetchInterval={refetchInterval}>
    <Session />
  </SessionProvider>,
);
