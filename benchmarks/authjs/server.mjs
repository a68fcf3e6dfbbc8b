// The Node peer of the benchmark: Auth.js v5 through @auth/express, one
// process, a credentials provider and JWT sessions (Auth.js's default without
// a database adapter), mounted at /auth as in @auth/express's documentation.
//
// Environment: PORT (required), AUTH_SECRET (required), BENCH_USERNAME and
// BENCH_PASSWORD (the one account), BENCH_EMAIL and BENCH_NAME (what the
// session shows). Sign in with GET /auth/csrf, then POST
// /auth/callback/credentials; read the session with GET /auth/session.
import { ExpressAuth } from "@auth/express";
import Credentials from "@auth/express/providers/credentials";
import express from "express";

const required = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} must be set`);
    process.exit(2);
  }
  return value;
};

const port = Number(required("PORT"));
const account = {
  username: process.env.BENCH_USERNAME ?? "bench",
  password: process.env.BENCH_PASSWORD ?? "bench-password",
  user: {
    id: "1",
    name: process.env.BENCH_NAME ?? "Bench User",
    email: process.env.BENCH_EMAIL ?? "bench@example.com",
  },
};

const app = express();
app.disable("x-powered-by");
app.set("trust proxy", true);
app.use(
  "/auth/*",
  ExpressAuth({
    secret: required("AUTH_SECRET"),
    trustHost: true,
    session: { strategy: "jwt" },
    providers: [
      Credentials({
        credentials: { username: {}, password: {} },
        // A constant-cost check is enough: only session reads are measured.
        authorize: async (credentials) =>
          credentials?.username === account.username &&
          credentials?.password === account.password
            ? account.user
            : null,
      }),
    ],
  }),
);

const server = app.listen(port, "127.0.0.1", () => {
  console.log(`authjs listening on 127.0.0.1:${port}`);
});
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
