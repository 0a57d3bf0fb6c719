// better-auth as a peer in rosterd's benchmark harness (bench/harness/peers.py).
//
//   node server.mjs migrate   create the schema with better-auth's own migrations
//   node server.mjs hash PW   print better-auth's hash of PW, as it stores it
//   node server.mjs serve     answer on BENCH_PORT with better-auth's node handler
//
// Each reads BENCH_DB (the SQLite file). The configuration is the one all commands share,
// so the schema the migrations create is the one the server expects: email and password,
// the admin plugin, and two additional user fields that hold what rosterd's users have and
// better-auth's do not (labels, prefs). The rate limiter is off: the bench measures the
// work of each call, not the limiter's refusals.
import { createServer } from "node:http";
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { hashPassword } from "better-auth/crypto";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import { admin } from "better-auth/plugins";

const port = Number(process.env.BENCH_PORT ?? 18880);
const baseURL = `http://127.0.0.1:${port}`;

function database() {
  const db = new Database(process.env.BENCH_DB ?? "better-auth.db");
  // WAL, as every SQLite peer in the bench runs (PocketBase's default, rosterd's).
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 10000");
  return db;
}

const options = {
  database: database(),
  baseURL,
  secret: "rosterd-bench-better-auth-secret-0123456789",
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  user: {
    additionalFields: {
      labels: { type: "string[]", required: false },
      prefs: { type: "json", required: false },
    },
  },
  plugins: [admin()],
};

async function migrate() {
  const { runMigrations } = await getMigrations(options);
  await runMigrations();
  // The one index the bench adds: on the admin plugin's ban flag, the status filter's
  // column (PocketBase's `blocked` gets the same; rosterd indexes its status).
  options.database.exec('CREATE INDEX IF NOT EXISTS "user_banned_idx" ON "user" ("banned")');
}

function serve() {
  const auth = betterAuth(options);
  createServer(toNodeHandler(auth)).listen(port, "127.0.0.1");
}

const command = process.argv[2];
if (command === "migrate") {
  await migrate();
} else if (command === "hash") {
  console.log(await hashPassword(process.argv[3]));
} else if (command === "serve") {
  serve();
} else {
  console.error("usage: node server.mjs migrate|hash PASSWORD|serve (BENCH_DB, BENCH_PORT)");
  process.exit(2);
}
