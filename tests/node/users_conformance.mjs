// Conformance of rosterd with node-appwrite's Users service: every method, and the
// values it returns.
//
// Usage: node users_conformance.mjs <endpoint> <project> <key>
//
// Every method of Users.prototype has a case below, named after it; a method without
// one (say, one a newer node-appwrite adds) is a failure, and so is a case for a method
// Users no longer has, or a case that never calls its method. One JSON line per method
// is printed: {"method": ..., "ok": true} or {"method": ..., "ok": false, "error": ...}.
// The exit status is 1 if any failed. Cases run one after another in a project of their
// own; each uses ids and emails no other case uses.
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import {
  Account,
  AppwriteException,
  AuthenticationFactor,
  AuthenticatorType,
  Client,
  ID,
  Messaging,
  MessagingProviderType,
  PasswordHash,
  Query,
  Teams,
  Users,
} from "node-appwrite";

const [endpoint, projectId, apiKey] = process.argv.slice(2);
if (!endpoint || !projectId || !apiKey) {
  console.error("usage: node users_conformance.mjs <endpoint> <project> <key>");
  process.exit(2);
}

// Clients ------------------------------------------------------------------------------

const guestClient = () => new Client().setEndpoint(endpoint).setProject(projectId);
const keyClient = () => guestClient().setKey(apiKey);
const sessionClient = (secret) => guestClient().setSession(secret);

/** Users methods the current case called (the wrapper below records them). */
const called = new Set();

/** A Users service whose methods record that they were called, and name the call in errors. */
function instrumented(service) {
  for (const name of Object.getOwnPropertyNames(Users.prototype)) {
    const method = Users.prototype[name];
    if (name === "constructor" || typeof method !== "function") continue;
    service[name] = async (...args) => {
      called.add(name);
      try {
        return await method.apply(service, args);
      } catch (error) {
        const shown = JSON.stringify(args, (_, v) => (typeof v === "bigint" ? `${v}n` : v));
        error.call ??= `users.${name}(${shown})`;
        throw error;
      }
    };
  }
  return service;
}

const users = instrumented(new Users(keyClient()));
const teams = new Teams(keyClient());
const messaging = new Messaging(keyClient());

// Shapes and helpers --------------------------------------------------------------------

const USER_KEYS = [
  "$id", "$createdAt", "$updatedAt", "name", "password", "hash", "hashOptions",
  "registration", "status", "labels", "passwordUpdate", "email", "phone",
  "emailVerification", "emailCanonical", "emailIsFree", "emailIsDisposable",
  "emailIsCorporate", "emailIsCanonical", "phoneVerification", "mfa", "prefs", "targets",
  "accessedAt", "impersonator", "impersonatorUserId",
];
const SESSION_KEYS = [
  "$id", "$createdAt", "$updatedAt", "userId", "expire", "provider", "providerUid",
  "providerAccessToken", "providerAccessTokenExpiry", "providerRefreshToken", "ip", "osCode",
  "osName", "osVersion", "clientType", "clientCode", "clientName", "clientVersion",
  "clientEngine", "clientEngineVersion", "deviceName", "deviceBrand", "deviceModel",
  "countryCode", "countryName", "current", "factors", "secret", "mfaUpdatedAt",
];
const TARGET_KEYS = [
  "$id", "$createdAt", "$updatedAt", "name", "userId", "providerId", "providerType",
  "identifier", "expired",
];
const TOKEN_KEYS = ["$id", "$createdAt", "userId", "secret", "expire", "phrase"];
const MEMBERSHIP_KEYS = [
  "$id", "$createdAt", "$updatedAt", "userId", "userName", "userEmail", "userPhone", "teamId",
  "teamName", "invited", "joined", "confirm", "mfa", "userAccessedAt", "roles",
];
const LOG_KEYS = [
  "event", "userId", "userEmail", "userName", "mode", "userType", "ip", "time", "osCode",
  "osName", "osVersion", "clientType", "clientCode", "clientName", "clientVersion",
  "clientEngine", "clientEngineVersion", "deviceName", "deviceBrand", "deviceModel",
  "countryCode", "countryName",
];
const FACTOR_KEYS = ["totp", "phone", "email", "recoveryCode", "custom"];
const WIRE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/;
const UNIQUE_ID = /^[0-9a-f]{20}$/;
const PASSWORD = "long enough password";
const APPWRITE = "appwrite"; // the password behind the hash vectors below

/** node-appwrite parses JSON into objects without a prototype: compare plain JSON values. */
const plain = (value) => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

function eq(actual, expected, what) {
  assert.deepStrictEqual(
    plain(actual),
    plain(expected),
    `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );
}

function ok(condition, what, actual) {
  assert.ok(condition, actual === undefined ? what : `${what} (got ${JSON.stringify(actual)})`);
}

const keysOf = (object) => Object.keys(object);
const idsOf = (items) => items.map((item) => item.$id);

/** Awaits `promise` and checks it fails with this HTTP code and Appwrite error type. */
async function rejects(promise, code, type, what) {
  let value;
  try {
    value = await promise;
  } catch (error) {
    if (!(error instanceof AppwriteException)) throw error;
    if (error.code !== code || error.type !== type) {
      throw new Error(
        `${what}: expected ${code} ${type}, got ${error.code} ${error.type}: ${error.message}`,
      );
    }
    return error;
  }
  throw new Error(`${what}: expected ${code} ${type}, got success ${JSON.stringify(value)}`);
}

/** A 204 answer, as node-appwrite hands it back (an empty body, no JSON). */
function noContent(result, what) {
  ok(result && typeof result === "object", `${what}: an object`, result);
  ok(
    keysOf(result).every((key) => key === "message") && (result.message ?? "") === "",
    `${what}: an empty answer`,
    result,
  );
}

/** `iso` is a wire datetime about `seconds` from now (within `slack` seconds). */
function inAbout(iso, seconds, what, slack = 30) {
  ok(WIRE_TIME.test(iso), `${what}: a wire datetime`, iso);
  const off = (Date.parse(iso) - Date.now()) / 1000 - seconds;
  ok(Math.abs(off) <= slack, `${what}: about ${seconds}s from now`, iso);
}

function userShape(user, what) {
  eq(keysOf(user), USER_KEYS, `${what}: User keys`);
  for (const field of ["$createdAt", "$updatedAt", "registration"]) {
    ok(WIRE_TIME.test(user[field]), `${what}: ${field} is a wire datetime`, user[field]);
  }
}

function targetShape(target, what) {
  eq(keysOf(target), TARGET_KEYS, `${what}: Target keys`);
  ok(WIRE_TIME.test(target.$createdAt), `${what}: $createdAt`, target.$createdAt);
}

const summary = (targets) => targets.map((t) => [t.providerType, t.identifier]);

/** The email of a user made by `newUser` (emails are case-insensitive, ids are not). */
const emailOf = (userId) => `${userId.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}@example.com`;

async function newUser(userId, extra = {}) {
  return users.create({ userId, email: emailOf(userId), ...extra });
}

/** Signs in with email and password as a browser would (no key). */
function signIn(email, password) {
  return new Account(guestClient()).createEmailPasswordSession({ email, password });
}

function decodeSessionSecret(secret) {
  return JSON.parse(Buffer.from(secret, "base64").toString("utf8"));
}

function decodeJwt(jwt) {
  const parts = jwt.split(".");
  eq(parts.length, 3, "JWT parts");
  return JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
}

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of an RFC 4648 base32 secret.
function totp(secret, at = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secret.replace(/=+$/, "").toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${secret}`);
    bits += value.toString(2).padStart(5, "0");
  }
  const key = Buffer.from(
    (bits.match(/.{8}/g) ?? []).map((byte) => Number.parseInt(byte, 2)),
  );
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const code = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, "0");
}

/** A user with a password, an email and a verified TOTP authenticator (via Account). */
async function enrolTotp(userId) {
  await newUser(userId, { password: PASSWORD });
  const session = await users.createSession({ userId });
  const account = new Account(sessionClient(session.secret));
  const created = await account.createMfaAuthenticator({ type: AuthenticatorType.Totp });
  ok(/^[A-Z2-7]+=*$/.test(created.secret), "TOTP secret is base32", created.secret);
  const verified = await account.updateMfaAuthenticator({
    type: AuthenticatorType.Totp,
    otp: totp(created.secret),
  });
  eq(verified.$id, userId, "verified authenticator's user");
  return { session, account };
}

const hex = (algorithm, text) => createHash(algorithm).update(text).digest("hex");

/** Imports a hash with `create`, checks what comes back and signs in with it. */
async function importAndSignIn(userId, create, params, expected) {
  const email = emailOf(userId);
  const user = await create({ userId, email, name: "Imported", ...params });
  userShape(user, `${userId}: created`);
  eq(
    [user.$id, user.email, user.name, user.hash, user.password],
    [userId, email, "Imported", expected.hash, params.password],
    `${userId}: id, email, name, hash, stored password`,
  );
  eq(user.hashOptions, expected.options, `${userId}: hashOptions`);
  eq(keysOf(user.hashOptions), keysOf(expected.options), `${userId}: hashOptions key order`);
  ok(WIRE_TIME.test(user.passwordUpdate), `${userId}: passwordUpdate set`, user.passwordUpdate);
  eq(summary(user.targets), [["email", email]], `${userId}: targets`);
  eq(await users.get({ userId }), user, `${userId}: get equals create`);
  await rejects(
    signIn(email, "not the password"),
    401,
    "user_invalid_credentials",
    `${userId}: sign-in with a wrong password`,
  );
  const session = await signIn(email, expected.password ?? APPWRITE);
  eq([session.userId, session.provider], [userId, "email"], `${userId}: signed in`);
  eq((await users.get({ userId })).hash, "argon2", `${userId}: re-hashed on sign-in`);
  return user;
}

async function enrolledFactors(method) {
  const userId = `${method}-f`;
  const fresh = await users[method]({ userId: (await newUser(`${method}-n`)).$id });
  eq(keysOf(fresh), FACTOR_KEYS, "MFAFactors keys");
  eq(
    fresh,
    { totp: false, phone: false, email: false, recoveryCode: false, custom: false },
    "factors of a new user",
  );
  await enrolTotp(userId);
  await users.updateEmailVerification({ userId, emailVerification: true });
  const number = method === "listMfaFactors" ? "+16175550141" : "+16175550142";
  await users.updatePhone({ userId, number });
  await users.updatePhoneVerification({ userId, phoneVerification: true });
  await users.createMfaRecoveryCodes({ userId });
  eq(
    await users[method]({ userId }),
    { totp: true, phone: true, email: true, recoveryCode: false, custom: false },
    "factors with TOTP, verified email and phone, and recovery codes (recoveryCode stays false)",
  );
  await rejects(users[method]({ userId: "nobody" }), 404, "user_not_found", "unknown user");
}

async function deleteAuthenticator(method) {
  const userId = `${method}-u`;
  await enrolTotp(userId);
  await users.updateMfa({ userId, mfa: true });
  eq((await users.listMfaFactors({ userId })).totp, true, "totp before the delete");
  noContent(await users[method]({ userId, type: AuthenticatorType.Totp }), "delete");
  eq((await users.listMfaFactors({ userId })).totp, false, "totp after the delete");
  eq((await users.get({ userId })).mfa, true, "mfa flag is left as it was");
  const session = await users.createSession({ userId });
  eq(
    (await new Account(sessionClient(session.secret)).get()).$id,
    userId,
    "with no verified factor left, MFA asks for nothing more",
  );
  await rejects(
    users[method]({ userId, type: AuthenticatorType.Totp }),
    404,
    "user_authenticator_not_found",
    "a second delete",
  );
  await rejects(
    users[method]({ userId: "nobody", type: AuthenticatorType.Totp }),
    404,
    "user_not_found",
    "unknown user",
  );
}

async function toggleMfa(method) {
  const userId = `${method}-u`;
  await enrolTotp(userId);
  const on = await users[method]({ userId, mfa: true });
  userShape(on, "mfa on");
  eq([on.$id, on.mfa], [userId, true], "mfa switched on");
  eq((await users.get({ userId })).mfa, true, "mfa on, read back");
  const session = await users.createSession({ userId });
  const account = new Account(sessionClient(session.secret));
  await rejects(
    account.get(),
    401,
    "user_more_factors_required",
    "a one-factor session of a user with MFA and a verified TOTP",
  );
  eq((await users[method]({ userId, mfa: false })).mfa, false, "mfa switched off");
  eq((await users.get({ userId })).mfa, false, "mfa off, read back");
  eq((await account.get()).$id, userId, "the same session works without MFA");
  await rejects(users[method]({ userId: "nobody", mfa: true }), 404, "user_not_found", "unknown");
}

const RECOVERY_CODES = (codes) =>
  Array.isArray(codes) && codes.length === 6 && codes.every((c) => /^[0-9a-f]{10}$/.test(c));

async function createRecoveryCodes(method) {
  const userId = `${method}-u`;
  await newUser(userId);
  const created = await users[method]({ userId });
  eq(keysOf(created), ["recoveryCodes"], "MFARecoveryCodes keys");
  ok(RECOVERY_CODES(created.recoveryCodes), "six codes of ten hex", created.recoveryCodes);
  eq(await users.getMfaRecoveryCodes({ userId }), created, "codes read back");
  await rejects(
    users[method]({ userId }),
    409,
    "user_recovery_codes_already_exists",
    "a second create",
  );
  await rejects(users[method]({ userId: "nobody" }), 404, "user_not_found", "unknown user");
}

async function getRecoveryCodes(method) {
  const userId = `${method}-u`;
  await newUser(userId);
  await rejects(
    users[method]({ userId }),
    404,
    "user_recovery_codes_not_found",
    "a user without codes",
  );
  const created = await users.createMfaRecoveryCodes({ userId });
  const read = await users[method]({ userId });
  eq(read, created, "codes read back");
  // Use one through an MFA challenge: it is used up.
  const session = await users.createSession({ userId });
  const account = new Account(sessionClient(session.secret));
  const challenge = await account.createMfaChallenge({ factor: AuthenticationFactor.Recoverycode });
  const answered = await account.updateMfaChallenge({
    challengeId: challenge.$id,
    otp: created.recoveryCodes[0],
  });
  eq(answered.factors, ["server", "recoveryCode"], "factors after using a code");
  eq(
    (await users[method]({ userId })).recoveryCodes,
    created.recoveryCodes.slice(1),
    "the used code is gone",
  );
  await rejects(users[method]({ userId: "nobody" }), 404, "user_not_found", "unknown user");
}

async function regenerateRecoveryCodes(method) {
  const userId = `${method}-u`;
  await newUser(userId);
  await rejects(
    users[method]({ userId }),
    404,
    "user_recovery_codes_not_found",
    "regenerate without codes",
  );
  const first = (await users.createMfaRecoveryCodes({ userId })).recoveryCodes;
  const fresh = await users[method]({ userId });
  eq(keysOf(fresh), ["recoveryCodes"], "MFARecoveryCodes keys");
  ok(RECOVERY_CODES(fresh.recoveryCodes), "six codes of ten hex", fresh.recoveryCodes);
  ok(
    fresh.recoveryCodes.every((code) => !first.includes(code)),
    "all codes are new",
    [first, fresh.recoveryCodes],
  );
  eq((await users.getMfaRecoveryCodes({ userId })).recoveryCodes, fresh.recoveryCodes, "kept");
  await rejects(users[method]({ userId: "nobody" }), 404, "user_not_found", "unknown user");
}

// Hash vectors of the password "appwrite" (Appwrite's end-to-end tests).
const SCRYPT_MODIFIED = {
  passwordSalt: "UxLMreBr6tYyjQ==",
  passwordSaltSeparator: "Bw==",
  passwordSignerKey:
    "XyEKE9RcTDeLEsL/RjwPDBv/RqDl8fb3gpYEOQaPihbxf1ZAtSOHCjuAAa7Q3oHpCYhXSN9tizHgVOwn6krflQ==",
};

// The cases ----------------------------------------------------------------------------

const cases = {
  async list() {
    const people = [
      ["list-a", "Alice Liddell"],
      ["list-b", "Bob Marley"],
      ["list-c", "Carol Danvers"],
    ];
    for (const [userId, name] of people) {
      await newUser(userId, { name });
      await users.updateLabels({ userId, labels: ["listcase"] });
    }
    const mine = Query.contains("labels", ["listcase"]);
    const all = await users.list({ queries: [mine] });
    eq(keysOf(all), ["total", "users"], "UserList keys");
    eq([all.total, idsOf(all.users)], [3, ["list-a", "list-b", "list-c"]], "all three");
    userShape(all.users[0], "listed user");
    eq(
      [all.users[0].name, all.users[0].email, all.users[0].labels],
      ["Alice Liddell", "list-a@example.com", ["listcase"]],
      "listed user's fields",
    );
    eq(summary(all.users[0].targets), [["email", "list-a@example.com"]], "listed targets");
    const bob = await users.list({ queries: [mine, Query.equal("name", ["Bob Marley"])] });
    eq([bob.total, idsOf(bob.users)], [1, ["list-b"]], "equal(name)");
    const page = await users.list({ queries: [mine, Query.limit(1), Query.offset(1)] });
    eq([page.total, idsOf(page.users)], [3, ["list-b"]], "limit and offset");
    const after = await users.list({
      queries: [mine, Query.cursorAfter("list-a"), Query.limit(1)],
    });
    eq(idsOf(after.users), ["list-b"], "cursorAfter");
    const before = await users.list({ queries: [mine, Query.cursorBefore("list-c")] });
    eq(idsOf(before.users), ["list-a", "list-b"], "cursorBefore");
    const ordered = await users.list({ queries: [mine, Query.orderDesc("name")] });
    eq(idsOf(ordered.users), ["list-c", "list-b", "list-a"], "orderDesc(name)");
    const searched = await users.list({ search: "Liddell" });
    eq([searched.total, idsOf(searched.users)], [1, ["list-a"]], "search");
    const uncounted = await users.list({ queries: [mine], total: false });
    eq([uncounted.total, uncounted.users.length], [0, 3], "total=false");
    const cursor = await rejects(
      users.list({ queries: [Query.cursorAfter("nobody")] }),
      400,
      "general_cursor_not_found",
      "unknown cursor",
    );
    eq(cursor.message, "User 'nobody' for the 'cursor' value not found.", "cursor message");
    await rejects(users.list({ search: "" }), 400, "general_argument_invalid", "empty search");
    await rejects(
      users.list({ queries: [Query.select(["name"])] }),
      400,
      "general_argument_invalid",
      "select is not allowed",
    );
    await rejects(
      users.list({ queries: [Query.equal("password", ["x"])] }),
      400,
      "general_argument_invalid",
      "password is not a query attribute",
    );
  },

  async create() {
    const user = await users.create({
      userId: "create-a",
      email: "Create-A@Example.com",
      phone: "+16175550101",
      password: PASSWORD,
      name: "Cee",
    });
    userShape(user, "created");
    eq(
      [user.$id, user.name, user.email, user.phone, user.status, user.labels, user.prefs],
      ["create-a", "Cee", "create-a@example.com", "+16175550101", true, [], {}],
      "id, name, email, phone, status, labels, prefs",
    );
    eq(
      [user.emailVerification, user.phoneVerification, user.mfa, user.impersonator],
      [false, false, false, false],
      "flags",
    );
    eq([user.accessedAt, user.impersonatorUserId], ["", null], "accessedAt, impersonatorUserId");
    eq(user.hash, "argon2", "hash");
    eq(keysOf(user.hashOptions), ["type", "memory_cost", "time_cost", "threads"], "hashOptions");
    eq(user.hashOptions.type, "argon2", "hashOptions.type");
    const { memory_cost: m, time_cost: t, threads: p } = user.hashOptions;
    ok(user.password.startsWith(`$argon2id$v=19$m=${m},t=${t},p=${p}$`), "argon2id", user.password);
    ok(WIRE_TIME.test(user.passwordUpdate), "passwordUpdate", user.passwordUpdate);
    eq(
      [user.emailCanonical, user.emailIsCanonical, user.emailIsFree, user.emailIsDisposable],
      ["create-a@example.com", true, false, false],
      "email metadata",
    );
    eq(user.emailIsCorporate, true, "emailIsCorporate");
    eq(
      summary(user.targets),
      [["email", "create-a@example.com"], ["sms", "+16175550101"]],
      "targets",
    );
    for (const target of user.targets) {
      targetShape(target, "user target");
      eq(
        [target.userId, target.providerId, target.name, target.expired],
        ["create-a", null, "", false],
        "target fields",
      );
    }
    const bare = await users.create({ userId: ID.unique() });
    ok(UNIQUE_ID.test(bare.$id), "unique() id", bare.$id);
    eq(
      [bare.email, bare.phone, bare.name, bare.password, bare.passwordUpdate, bare.targets],
      ["", "", "", null, "", []],
      "a user with nothing",
    );
    eq([bare.emailCanonical, bare.emailIsFree], [null, null], "no email, no metadata");
    await rejects(users.create({ userId: "create-a" }), 409, "user_already_exists", "same id");
    await rejects(
      users.create({ userId: "create-b", email: "CREATE-A@example.com" }),
      409,
      "user_already_exists",
      "same email",
    );
    await rejects(
      users.create({ userId: "create-c", phone: "+16175550101" }),
      409,
      "user_already_exists",
      "same phone",
    );
    await rejects(
      users.create({ userId: "create-d", email: "not an email" }),
      400,
      "general_argument_invalid",
      "invalid email",
    );
    await rejects(
      users.create({ userId: "create-e", password: "short" }),
      400,
      "general_argument_invalid",
      "a password under 8 characters",
    );
    await rejects(
      users.create({ userId: "create-f", name: "" }),
      400,
      "general_argument_invalid",
      "an empty name",
    );
    await rejects(
      users.create({ userId: "bad id!" }),
      400,
      "general_argument_invalid",
      "an invalid id",
    );
    const session = await signIn("create-a@example.com", PASSWORD);
    eq(session.userId, "create-a", "signs in with the password");
  },

  async createArgon2User() {
    await importAndSignIn(
      "argon2-a",
      users.createArgon2User,
      {
        password:
          "$argon2i$v=19$m=20,t=3,p=2$YXBwd3JpdGU$A/54i238ed09ZR4NwlACU5XnkjNBZU9QeOEuhjLiexI",
      },
      {
        hash: "argon2",
        // rosterd documents this difference: the hash's own options, not Appwrite's defaults.
        options: { type: "argon2", memory_cost: 20, time_cost: 3, threads: 2 },
      },
    );
    await rejects(
      users.createArgon2User({
        userId: "argon2-b",
        email: "argon2-b@example.com",
        password: "not a phc string",
      }),
      400,
      "general_argument_invalid",
      "not an argon2 hash",
    );
  },

  async createBcryptUser() {
    // A cheap hash of "appwrite" made for this test (cost 5), to sign in with quickly.
    await importAndSignIn(
      "bcrypt-a",
      users.createBcryptUser,
      { password: "$2a$05$t0Q8VAl44b3iZ64DADsr.eHLXiBzCMtM97Hn4VKMGhnSbkJhfv8be" },
      // rosterd documents this difference: the cost read from the hash.
      { hash: "bcrypt", options: { type: "bcrypt", cost: 5 } },
    );
    // (Appwrite's own vector has cost 15: seconds of work for every check, so not here.)
    const stored = "$2b$05$t0Q8VAl44b3iZ64DADsr.eHLXiBzCMtM97Hn4VKMGhnSbkJhfv8be";
    const b = await users.createBcryptUser({
      userId: "bcrypt-b",
      email: "bcrypt-b@example.com",
      password: stored,
    });
    eq(
      [b.hash, b.password, b.hashOptions],
      ["bcrypt", stored, { type: "bcrypt", cost: 5 }],
      "a $2b$ hash",
    );
    await rejects(
      users.createBcryptUser({
        userId: "bcrypt-a",
        email: "bcrypt-c@example.com",
        password: stored,
      }),
      409,
      "user_already_exists",
      "same id",
    );
    // rosterd documents this difference: a hash that can never verify is refused.
    await rejects(
      users.createBcryptUser({
        userId: "bcrypt-d",
        email: "bcrypt-d@example.com",
        password: "$2a$04$tooshort",
      }),
      400,
      "general_argument_invalid",
      "not a bcrypt hash",
    );
  },

  async listIdentities() {
    const all = await users.listIdentities();
    eq(all, { total: 0, identities: [] }, "no identities in a new project");
    eq(keysOf(all), ["total", "identities"], "IdentityList keys");
    const github = await users.listIdentities({
      queries: [Query.equal("provider", ["github"]), Query.limit(5)],
    });
    eq(github, { total: 0, identities: [] }, "equal(provider) and limit");
    const byUser = await users.listIdentities({
      queries: [Query.equal("userId", ["nobody"])],
      total: false,
    });
    eq(byUser, { total: 0, identities: [] }, "equal(userId), total=false");
    await rejects(
      users.listIdentities({ queries: [Query.equal("name", ["x"])] }),
      400,
      "general_argument_invalid",
      "name is not an identity attribute",
    );
    await rejects(
      users.listIdentities({ queries: [Query.cursorAfter("nothing")] }),
      400,
      "general_cursor_not_found",
      "unknown cursor",
    );
    await rejects(
      users.listIdentities({ search: "github" }),
      400,
      "general_query_invalid",
      "search (identities have no full-text index)",
    );
  },

  async deleteIdentity() {
    const missing = await rejects(
      users.deleteIdentity({ identityId: "nothing" }),
      404,
      "user_identity_not_found",
      "unknown identity",
    );
    eq(missing.code, 404, "code");
  },

  async createMD5User() {
    const stored = hex("md5", APPWRITE);
    eq(stored, "144fa7eaa4904e8ee120651997f70dcc", "md5 vector");
    await importAndSignIn("md5-a", users.createMD5User, { password: stored }, {
      hash: "md5",
      options: { type: "md5" },
    });
    await rejects(
      users.createMD5User({
        userId: "md5-b",
        email: "md5-b@example.com",
        password: "not hex at all!",
      }),
      400,
      "general_argument_invalid",
      "not an md5 hash",
    );
  },

  async createPHPassUser() {
    await importAndSignIn(
      "phpass-a",
      users.createPHPassUser,
      { password: "$P$Br387rwferoKN7uwHZqNMu98q3U8RO." },
      // rosterd documents this difference: no internal random_state.
      { hash: "phpass", options: { type: "phpass" } },
    );
    await rejects(
      users.createPHPassUser({
        userId: "phpass-b",
        email: "bad",
        password: "$P$Br387rwferoKN7uwHZqNMu98q3U8RO.",
      }),
      400,
      "general_argument_invalid",
      "invalid email",
    );
  },

  async createScryptUser() {
    const params = {
      password:
        "3fdef49701bc4cfaacd551fe017283513284b4731e6945c263246ef948d3cf63" +
        "b5d269c31fd697246085111a428245e24a4ddc6b64c687bc60a8910dbafc1d5b",
      passwordSalt: "appwrite",
      passwordCpu: 16384,
      passwordMemory: 13,
      passwordParallel: 2,
      passwordLength: 64,
    };
    await importAndSignIn("scrypt-a", users.createScryptUser, params, {
      hash: "scrypt",
      options: {
        type: "scrypt",
        costCpu: 16384,
        costMemory: 13,
        costParallel: 2,
        length: 64,
        salt: "appwrite",
      },
    });
    await rejects(
      users.createScryptUser({
        ...params,
        userId: "scrypt-b",
        email: "scrypt-b@example.com",
        passwordCpu: 1000,
      }),
      400,
      "general_argument_invalid",
      "a CPU cost that is not a power of two",
    );
  },

  async createScryptModifiedUser() {
    const params = {
      password:
        "UlM7JiXRcQhzAGlaonpSqNSLIz475WMddOgLjej5De9vxTy48K6WtqlEzrRFeK4t0COfMhWCb8wuMHgxOFCHFQ==",
      ...SCRYPT_MODIFIED,
    };
    await importAndSignIn("scryptmod-a", users.createScryptModifiedUser, params, {
      hash: "scryptMod",
      options: {
        type: "scryptMod",
        salt: SCRYPT_MODIFIED.passwordSalt,
        saltSeparator: SCRYPT_MODIFIED.passwordSaltSeparator,
        signerKey: SCRYPT_MODIFIED.passwordSignerKey,
      },
    });
    await rejects(
      users.createScryptModifiedUser({
        ...params,
        userId: "scryptmod-b",
        email: "scryptmod-b@example.com",
        passwordSalt: "not base64!",
      }),
      400,
      "general_argument_invalid",
      "a salt that is not base64",
    );
  },

  async createSHAUser() {
    const sha512 = hex("sha512", APPWRITE);
    ok(sha512.startsWith("4243da0a") && sha512.endsWith("4cc38c70"), "sha512 vector", sha512);
    // rosterd documents this difference: sha options carry a `type` like every other scheme.
    await importAndSignIn(
      "sha-a",
      users.createSHAUser,
      { password: sha512, passwordVersion: PasswordHash.Sha512 },
      { hash: "sha", options: { type: "sha", version: "sha512" } },
    );
    await importAndSignIn(
      "sha-b",
      users.createSHAUser,
      { password: hex("sha256", APPWRITE) },
      { hash: "sha", options: { type: "sha", version: "sha256" } },
    );
    await importAndSignIn(
      "sha-c",
      users.createSHAUser,
      { password: hex("sha3-256", APPWRITE), passwordVersion: PasswordHash.Sha3256 },
      { hash: "sha", options: { type: "sha", version: "sha3-256" } },
    );
    await importAndSignIn(
      "sha-d",
      users.createSHAUser,
      { password: hex("sha512-224", APPWRITE), passwordVersion: PasswordHash.Sha512224 },
      { hash: "sha", options: { type: "sha", version: "sha512/224" } },
    );
    await rejects(
      users.createSHAUser({
        userId: "sha-e",
        email: "sha-e@example.com",
        password: sha512,
        passwordVersion: "md4",
      }),
      400,
      "general_argument_invalid",
      "an unknown version",
    );
  },

  async get() {
    const created = await newUser("get-a", { name: "Gee", phone: "+16175550111" });
    const read = await users.get({ userId: "get-a" });
    userShape(read, "get");
    eq(read, created, "get equals create");
    const missing = await rejects(
      users.get({ userId: "nobody" }),
      404,
      "user_not_found",
      "unknown user",
    );
    eq(missing.message, "User with the requested ID could not be found.", "message");
  },

  async delete() {
    await newUser("delete-a", { phone: "+16175550112" });
    await users.createSession({ userId: "delete-a" });
    await teams.create({ teamId: "delete-team", name: "Delete" });
    await teams.createMembership({ teamId: "delete-team", roles: ["member"], userId: "delete-a" });
    eq((await teams.get({ teamId: "delete-team" })).total, 1, "a member");
    noContent(await users.delete({ userId: "delete-a" }), "delete");
    eq((await teams.get({ teamId: "delete-team" })).total, 0, "the team lost its member");
    eq(
      (await teams.listMemberships({ teamId: "delete-team" })).memberships,
      [],
      "the membership is gone",
    );
    await rejects(users.get({ userId: "delete-a" }), 404, "user_not_found", "get after delete");
    await rejects(users.delete({ userId: "delete-a" }), 404, "user_not_found", "second delete");
    const again = await newUser("delete-b", {
      phone: "+16175550112",
      email: "delete-a@example.com",
    });
    eq(
      summary(again.targets),
      [["email", "delete-a@example.com"], ["sms", "+16175550112"]],
      "the deleted user's email and phone are free again, targets included",
    );
  },

  async updateEmail() {
    await newUser("email-a");
    await newUser("email-b");
    await users.updateEmailVerification({ userId: "email-a", emailVerification: true });
    const before = (await users.get({ userId: "email-a" })).targets[0];
    const changed = await users.updateEmail({
      userId: "email-a",
      email: "New.Email-A@Example.com",
    });
    userShape(changed, "updated");
    eq(
      [changed.email, changed.emailVerification, changed.emailCanonical],
      ["new.email-a@example.com", false, "new.email-a@example.com"],
      "email lowercased, verification reset",
    );
    eq(changed.targets.length, 1, "one target");
    eq(
      [changed.targets[0].$id, changed.targets[0].identifier],
      [before.$id, "new.email-a@example.com"],
      "the email target follows",
    );
    eq((await users.get({ userId: "email-a" })).email, "new.email-a@example.com", "read back");
    await rejects(
      users.updateEmail({ userId: "email-a", email: "new.email-a@example.com" }),
      409,
      "user_target_already_exists",
      "its own current email",
    );
    // rosterd documents this difference: the more specific type for another user's email.
    await rejects(
      users.updateEmail({ userId: "email-a", email: "email-b@example.com" }),
      409,
      "user_email_already_exists",
      "another user's email",
    );
    await rejects(
      users.updateEmail({ userId: "email-a", email: "not an email" }),
      400,
      "general_argument_invalid",
      "invalid email",
    );
    const cleared = await users.updateEmail({ userId: "email-a", email: "" });
    eq([cleared.email, cleared.targets], ["", []], "email cleared, target gone");
    const clearedToo = await users.updateEmail({ userId: "email-b", email: "" });
    eq(clearedToo.email, "", "a second user clears theirs too");
    await rejects(
      users.updateEmail({ userId: "nobody", email: "x@example.com" }),
      404,
      "user_not_found",
      "unknown user",
    );
  },

  async updateImpersonator() {
    await newUser("imp-boss");
    await newUser("imp-victim", { name: "Victim" });
    const on = await users.updateImpersonator({ userId: "imp-boss", impersonator: true });
    userShape(on, "impersonator on");
    eq([on.$id, on.impersonator], ["imp-boss", true], "impersonator on");
    const boss = await users.createSession({ userId: "imp-boss" });
    const acting = new Account(sessionClient(boss.secret).setImpersonateUserId("imp-victim"));
    const seen = await acting.get();
    eq(
      [seen.$id, seen.name, seen.impersonatorUserId],
      ["imp-victim", "Victim", "imp-boss"],
      "an impersonator acts as the target",
    );
    const listed = await new Users(sessionClient(boss.secret)).list({
      queries: [Query.equal("$id", ["imp-victim"])],
    });
    eq(idsOf(listed.users), ["imp-victim"], "an impersonator's session may list users");
    const off = await users.updateImpersonator({ userId: "imp-boss", impersonator: false });
    eq(off.impersonator, false, "impersonator off");
    const plain = await acting.get();
    eq([plain.$id, plain.impersonatorUserId], ["imp-boss", null], "no longer impersonating");
    await rejects(
      users.updateImpersonator({ userId: "nobody", impersonator: true }),
      404,
      "user_not_found",
      "unknown user",
    );
  },

  async createJWT() {
    await newUser("jwt-a");
    await rejects(users.createJWT({ userId: "nobody" }), 404, "user_not_found", "unknown user");
    const older = await users.createSession({ userId: "jwt-a" });
    const newest = await users.createSession({ userId: "jwt-a" });
    const made = await users.createJWT({ userId: "jwt-a" });
    eq(keysOf(made), ["jwt"], "JWT keys");
    const claims = decodeJwt(made.jwt);
    eq([claims.userId, claims.sessionId], ["jwt-a", newest.$id], "bound to the newest session");
    ok(Math.abs(claims.exp - Date.now() / 1000 - 900) < 30, "expires in 900 s", claims.exp);
    const jwtAccount = new Account(guestClient().setJWT(made.jwt));
    eq((await jwtAccount.get()).$id, "jwt-a", "the JWT authenticates");
    const short = decodeJwt(
      (await users.createJWT({ userId: "jwt-a", sessionId: older.$id, duration: 60 })).jwt,
    );
    eq(short.sessionId, older.$id, "bound to the named session");
    ok(Math.abs(short.exp - Date.now() / 1000 - 60) < 30, "expires in 60 s", short.exp);
    const unknown = await users.createJWT({ userId: "jwt-a", sessionId: "unknown" });
    const unbound = decodeJwt(unknown.jwt);
    eq([unbound.userId, unbound.sessionId], ["jwt-a", ""], "an unknown session: bound to none");
    await users.deleteSession({ userId: "jwt-a", sessionId: newest.$id });
    await rejects(
      jwtAccount.get(),
      401,
      "general_unauthorized_scope",
      "a JWT whose session is gone",
    );
    await rejects(
      users.createJWT({ userId: "jwt-a", duration: 3601 }),
      400,
      "general_argument_invalid",
      "duration above 3600",
    );
  },

  async updateLabels() {
    await newUser("labels-a");
    const labelled = await users.updateLabels({
      userId: "labels-a",
      labels: ["vip", "beta", "vip"],
    });
    userShape(labelled, "labelled");
    eq(labelled.labels, ["vip", "beta"], "labels, duplicates dropped");
    eq((await users.get({ userId: "labels-a" })).labels, ["vip", "beta"], "read back");
    const found = await users.list({ queries: [Query.contains("labels", ["beta"])] });
    eq(idsOf(found.users), ["labels-a"], "found by label");
    const gold = await users.updateLabels({ userId: "labels-a", labels: ["gold"] });
    eq(gold.labels, ["gold"], "replaced");
    eq((await users.updateLabels({ userId: "labels-a", labels: [] })).labels, [], "cleared");
    await rejects(
      users.updateLabels({ userId: "labels-a", labels: ["no-dashes"] }),
      400,
      "general_argument_invalid",
      "a label with a dash",
    );
    await rejects(
      users.updateLabels({ userId: "labels-a", labels: ["x".repeat(37)] }),
      400,
      "general_argument_invalid",
      "a label over 36",
    );
    await rejects(
      users.updateLabels({ userId: "nobody", labels: ["x"] }),
      404,
      "user_not_found",
      "unknown user",
    );
  },

  async listLogs() {
    await newUser("logs-a");
    await users.updateName({ userId: "logs-a", name: "Logged" });
    const newest = await users.listLogs({ userId: "logs-a", queries: [Query.limit(1)] });
    eq(keysOf(newest), ["total", "logs"], "LogList keys");
    eq(newest.total, 2, "two records");
    eq(newest.logs.map((log) => log.event), ["user.update"], "newest first");
    eq(keysOf(newest.logs[0]), LOG_KEYS, "Log keys");
    eq(
      [newest.logs[0].userType, newest.logs[0].mode, newest.logs[0].ip],
      ["keyProject", "default", "127.0.0.1"],
      "the key is the actor",
    );
    ok(WIRE_TIME.test(newest.logs[0].time), "time", newest.logs[0].time);
    const oldest = await users.listLogs({ userId: "logs-a", queries: [Query.offset(1)] });
    eq(oldest.logs.map((log) => log.event), ["user.create"], "offset");
    const uncounted = await users.listLogs({ userId: "logs-a", total: false });
    eq([uncounted.total, uncounted.logs.length], [0, 2], "total=false");
    await rejects(
      users.listLogs({ userId: "logs-a", queries: [Query.equal("event", ["user.create"])] }),
      400,
      "general_argument_invalid",
      "only limit and offset",
    );
    await rejects(users.listLogs({ userId: "nobody" }), 404, "user_not_found", "unknown user");
  },

  async listMemberships() {
    await newUser("members-a", { name: "Member A" });
    await teams.create({ teamId: "members-t1", name: "Crew One" });
    await teams.create({ teamId: "members-t2", name: "Crew Two" });
    const one = await teams.createMembership({
      teamId: "members-t1",
      roles: ["member"],
      userId: "members-a",
    });
    await teams.createMembership({ teamId: "members-t2", roles: ["owner"], userId: "members-a" });
    const all = await users.listMemberships({ userId: "members-a" });
    eq(keysOf(all), ["total", "memberships"], "MembershipList keys");
    eq(all.total, 2, "total");
    eq(all.memberships.map((m) => m.teamId), ["members-t1", "members-t2"], "teams");
    const first = all.memberships[0];
    eq(keysOf(first), MEMBERSHIP_KEYS, "Membership keys");
    eq(
      [first.$id, first.userId, first.userName, first.userEmail, first.teamName],
      [one.$id, "members-a", "Member A", "members-a@example.com", "Crew One"],
      "membership fields",
    );
    eq([first.roles, first.confirm], [["member"], true], "roles, confirmed (made with a key)");
    ok(WIRE_TIME.test(first.joined), "joined", first.joined);
    const two = await users.listMemberships({
      userId: "members-a",
      queries: [Query.equal("teamId", ["members-t2"])],
    });
    eq([two.total, two.memberships.map((m) => m.roles)], [1, [["owner"]]], "equal(teamId)");
    const owners = await users.listMemberships({
      userId: "members-a",
      queries: [Query.contains("roles", ["owner"])],
    });
    eq(owners.memberships.map((m) => m.teamId), ["members-t2"], "contains(roles)");
    const searched = await users.listMemberships({ userId: "members-a", search: one.$id });
    eq(searched.memberships.map((m) => m.$id), [one.$id], "search by membership id");
    const page = await users.listMemberships({ userId: "members-a", queries: [Query.limit(1)] });
    eq(page.memberships.length, 1, "limit");
    const uncounted = await users.listMemberships({ userId: "members-a", total: false });
    eq([uncounted.total, uncounted.memberships.length], [0, 2], "total=false");
    await rejects(
      users.listMemberships({ userId: "members-a", queries: [Query.equal("roles", ["owner"])] }),
      400,
      "general_argument_invalid",
      "equal on the roles array",
    );
    await rejects(users.listMemberships({ userId: "nobody" }), 404, "user_not_found", "unknown");
  },

  updateMfa: () => toggleMfa("updateMfa"),
  updateMFA: () => toggleMfa("updateMFA"),
  deleteMfaAuthenticator: () => deleteAuthenticator("deleteMfaAuthenticator"),
  deleteMFAAuthenticator: () => deleteAuthenticator("deleteMFAAuthenticator"),
  listMfaFactors: () => enrolledFactors("listMfaFactors"),
  listMFAFactors: () => enrolledFactors("listMFAFactors"),
  getMfaRecoveryCodes: () => getRecoveryCodes("getMfaRecoveryCodes"),
  getMFARecoveryCodes: () => getRecoveryCodes("getMFARecoveryCodes"),
  updateMfaRecoveryCodes: () => regenerateRecoveryCodes("updateMfaRecoveryCodes"),
  updateMFARecoveryCodes: () => regenerateRecoveryCodes("updateMFARecoveryCodes"),
  createMfaRecoveryCodes: () => createRecoveryCodes("createMfaRecoveryCodes"),
  createMFARecoveryCodes: () => createRecoveryCodes("createMFARecoveryCodes"),

  async updateName() {
    await newUser("name-a", { name: "Before" });
    const renamed = await users.updateName({ userId: "name-a", name: "Zebedee Quux" });
    userShape(renamed, "renamed");
    eq(renamed.name, "Zebedee Quux", "new name");
    ok(renamed.$updatedAt >= renamed.$createdAt, "$updatedAt moves", renamed.$updatedAt);
    eq((await users.get({ userId: "name-a" })).name, "Zebedee Quux", "read back");
    eq(idsOf((await users.list({ search: "Zebedee" })).users), ["name-a"], "found by new name");
    const long = "ö".repeat(128);
    eq((await users.updateName({ userId: "name-a", name: long })).name, long, "128 characters");
    eq((await users.updateName({ userId: "name-a", name: "" })).name, "", "empty name");
    await rejects(
      users.updateName({ userId: "name-a", name: "x".repeat(129) }),
      400,
      "general_argument_invalid",
      "a name over 128",
    );
    await rejects(
      users.updateName({ userId: "nobody", name: "x" }),
      404,
      "user_not_found",
      "unknown user",
    );
  },

  async updatePassword() {
    const created = await newUser("password-a", { password: PASSWORD });
    await users.createSession({ userId: "password-a" });
    const changed = await users.updatePassword({
      userId: "password-a",
      password: "a new password",
    });
    userShape(changed, "changed");
    eq(changed.hash, "argon2", "hash");
    ok(changed.password.startsWith("$argon2id$"), "an argon2id hash", changed.password);
    ok(changed.password !== created.password, "a new hash", changed.password);
    ok(changed.passwordUpdate >= created.passwordUpdate, "passwordUpdate", changed.passwordUpdate);
    eq((await users.listSessions({ userId: "password-a" })).total, 0, "sessions ended");
    await rejects(
      signIn("password-a@example.com", PASSWORD),
      401,
      "user_invalid_credentials",
      "the old password",
    );
    eq((await signIn("password-a@example.com", "a new password")).userId, "password-a", "new");
    await rejects(
      users.updatePassword({ userId: "password-a", password: "short" }),
      400,
      "general_argument_invalid",
      "a password under 8",
    );
    const cleared = await users.updatePassword({ userId: "password-a", password: "" });
    eq(cleared.password, "", "password cleared");
    eq((await users.get({ userId: "password-a" })).password, "", "cleared, read back");
    await rejects(
      signIn("password-a@example.com", "a new password"),
      401,
      "user_invalid_credentials",
      "no password, no sign-in",
    );
    await rejects(
      users.updatePassword({ userId: "nobody", password: PASSWORD }),
      404,
      "user_not_found",
      "unknown user",
    );
  },

  async updatePhone() {
    await newUser("phone-a");
    await newUser("phone-b", { phone: "+16175550122" });
    await users.updatePhoneVerification({ userId: "phone-a", phoneVerification: true });
    const changed = await users.updatePhone({ userId: "phone-a", number: "+16175550121" });
    userShape(changed, "changed");
    eq([changed.phone, changed.phoneVerification], ["+16175550121", false], "phone, unverified");
    eq(
      summary(changed.targets),
      [["email", "phone-a@example.com"], ["sms", "+16175550121"]],
      "an sms target",
    );
    await rejects(
      users.updatePhone({ userId: "phone-a", number: "+16175550121" }),
      409,
      "user_target_already_exists",
      "its own current phone",
    );
    // rosterd documents this difference: the more specific type for another user's phone.
    await rejects(
      users.updatePhone({ userId: "phone-a", number: "+16175550122" }),
      409,
      "user_phone_already_exists",
      "another user's phone",
    );
    await rejects(
      users.updatePhone({ userId: "phone-a", number: "12345" }),
      400,
      "general_argument_invalid",
      "not an international number",
    );
    const cleared = await users.updatePhone({ userId: "phone-a", number: "" });
    eq(
      [cleared.phone, summary(cleared.targets)],
      ["", [["email", "phone-a@example.com"]]],
      "cleared",
    );
    await rejects(
      users.updatePhone({ userId: "nobody", number: "+16175550123" }),
      404,
      "user_not_found",
      "unknown user",
    );
  },

  async getPrefs() {
    await newUser("getprefs-a");
    eq({ ...(await users.getPrefs({ userId: "getprefs-a" })) }, {}, "empty prefs");
    await users.updatePrefs({ userId: "getprefs-a", prefs: { theme: "dark", size: 3 } });
    const read = await users.getPrefs({ userId: "getprefs-a" });
    eq({ ...read }, { theme: "dark", size: 3 }, "prefs");
    await rejects(users.getPrefs({ userId: "nobody" }), 404, "user_not_found", "unknown user");
  },

  async updatePrefs() {
    await newUser("prefs-a");
    const prefs = {
      theme: "dark",
      size: 3,
      ratio: 1.5,
      on: true,
      none: null,
      list: [1, "two"],
      nested: { a: { b: "c" } },
      text: "Zwölf €",
    };
    const returned = await users.updatePrefs({ userId: "prefs-a", prefs });
    eq({ ...returned }, prefs, "prefs returned");
    eq(JSON.stringify(returned), JSON.stringify(prefs), "prefs keep their key order");
    eq(
      JSON.stringify(await users.getPrefs({ userId: "prefs-a" })),
      JSON.stringify(prefs),
      "prefs read back in their key order",
    );
    eq((await users.get({ userId: "prefs-a" })).prefs, prefs, "prefs on the user");
    const replaced = await users.updatePrefs({ userId: "prefs-a", prefs: { only: 1 } });
    eq({ ...replaced }, { only: 1 }, "replaced, not merged");
    eq({ ...(await users.updatePrefs({ userId: "prefs-a", prefs: {} })) }, {}, "emptied");
    eq({ ...(await users.getPrefs({ userId: "prefs-a" })) }, {}, "empty, read back");
    const big = await users.updatePrefs({ userId: "prefs-a", prefs: { big: 9007199254740993n } });
    eq(String(big.big), "9007199254740993", "a 64-bit integer");
    const stored = (await users.getPrefs({ userId: "prefs-a" })).big;
    eq(String(stored), "9007199254740993", "read back exactly");
    await rejects(
      users.updatePrefs({ userId: "prefs-a", prefs: { big: "x".repeat(70000) } }),
      400,
      "general_argument_invalid",
      "prefs over 65535 bytes",
    );
    await rejects(
      users.updatePrefs({ userId: "prefs-a", prefs: ["a", "list"] }),
      400,
      "general_argument_invalid",
      "a list is not prefs",
    );
    await rejects(
      users.updatePrefs({ userId: "nobody", prefs: {} }),
      404,
      "user_not_found",
      "unknown user",
    );
  },

  async listSessions() {
    await newUser("sessions-a");
    const empty = await users.listSessions({ userId: "sessions-a" });
    eq(empty, { total: 0, sessions: [] }, "no sessions");
    const one = await users.createSession({ userId: "sessions-a" });
    const two = await users.createSession({ userId: "sessions-a" });
    const listed = await users.listSessions({ userId: "sessions-a" });
    eq(keysOf(listed), ["total", "sessions"], "SessionList keys");
    eq([listed.total, idsOf(listed.sessions)], [2, [one.$id, two.$id]], "in creation order");
    const first = listed.sessions[0];
    eq(keysOf(first), SESSION_KEYS, "Session keys");
    eq(
      [first.userId, first.provider, first.factors, first.current, first.expire],
      ["sessions-a", "server", ["server"], false, one.expire],
      "session fields",
    );
    ok(first.secret !== one.secret, "the listed secret is not the session secret", first.secret);
    const uncounted = await users.listSessions({ userId: "sessions-a", total: false });
    eq([uncounted.total, uncounted.sessions.length], [0, 2], "total=false");
    await rejects(users.listSessions({ userId: "nobody" }), 404, "user_not_found", "unknown user");
  },

  async createSession() {
    await newUser("session-a", { name: "Sess" });
    const session = await users.createSession({ userId: "session-a" });
    eq(keysOf(session), SESSION_KEYS, "Session keys");
    eq(
      [session.userId, session.provider, session.providerUid, session.factors, session.current],
      ["session-a", "server", "", ["server"], false],
      "session fields",
    );
    eq(
      [session.countryCode, session.countryName, session.mfaUpdatedAt],
      ["--", "Unknown", ""],
      "country, mfaUpdatedAt",
    );
    eq(session.ip, "127.0.0.1", "ip");
    inAbout(session.expire, 365 * 24 * 3600, "expire (a year)", 120);
    const decoded = decodeSessionSecret(session.secret);
    eq(keysOf(decoded), ["id", "secret"], "secret decodes to {id, secret}");
    eq(decoded.id, "session-a", "secret's user id");
    ok(/^[0-9a-f]{256}$/.test(decoded.secret), "256 hex", decoded.secret);
    const me = await new Account(sessionClient(session.secret)).get();
    eq([me.$id, me.name], ["session-a", "Sess"], "the secret authenticates");
    const seen = (await users.get({ userId: "session-a" })).accessedAt;
    ok(WIRE_TIME.test(seen), "accessedAt is set by the user's own request", seen);
    ok(!("password" in me), "the account model has no password", keysOf(me));
    const listed = await users.listSessions({ userId: "session-a" });
    eq(idsOf(listed.sessions), [session.$id], "listed");
    await rejects(users.createSession({ userId: "nobody" }), 404, "user_not_found", "unknown user");
    await rejects(users.createSession({ userId: "unique()" }), 404, "user_not_found", "unique()");
  },

  async deleteSessions() {
    await newUser("dsessions-a");
    await newUser("dsessions-b");
    const one = await users.createSession({ userId: "dsessions-a" });
    await users.createSession({ userId: "dsessions-a" });
    const other = await users.createSession({ userId: "dsessions-b" });
    noContent(await users.deleteSessions({ userId: "dsessions-a" }), "delete all");
    const left = await users.listSessions({ userId: "dsessions-a" });
    eq(left, { total: 0, sessions: [] }, "none left");
    await rejects(
      new Account(sessionClient(one.secret)).get(),
      401,
      "general_unauthorized_scope",
      "a deleted session no longer works",
    );
    const kept = await users.listSessions({ userId: "dsessions-b" });
    eq(idsOf(kept.sessions), [other.$id], "another user's sessions are kept");
    noContent(await users.deleteSessions({ userId: "dsessions-a" }), "again, with none");
    await rejects(users.deleteSessions({ userId: "nobody" }), 404, "user_not_found", "unknown");
  },

  async deleteSession() {
    await newUser("dsession-a");
    await newUser("dsession-b");
    const one = await users.createSession({ userId: "dsession-a" });
    const two = await users.createSession({ userId: "dsession-a" });
    const theirs = await users.createSession({ userId: "dsession-b" });
    noContent(await users.deleteSession({ userId: "dsession-a", sessionId: one.$id }), "delete");
    eq(idsOf((await users.listSessions({ userId: "dsession-a" })).sessions), [two.$id], "one left");
    await rejects(
      new Account(sessionClient(one.secret)).get(),
      401,
      "general_unauthorized_scope",
      "the deleted session no longer works",
    );
    eq((await new Account(sessionClient(two.secret)).get()).$id, "dsession-a", "the other works");
    await rejects(
      users.deleteSession({ userId: "dsession-a", sessionId: one.$id }),
      404,
      "user_session_not_found",
      "a second delete",
    );
    await rejects(
      users.deleteSession({ userId: "dsession-a", sessionId: theirs.$id }),
      404,
      "user_session_not_found",
      "another user's session",
    );
    await rejects(
      users.deleteSession({ userId: "nobody", sessionId: two.$id }),
      404,
      "user_not_found",
      "unknown user",
    );
  },

  async updateStatus() {
    await newUser("status-a", { password: PASSWORD });
    const session = await users.createSession({ userId: "status-a" });
    const blocked = await users.updateStatus({ userId: "status-a", status: false });
    userShape(blocked, "blocked");
    eq([blocked.$id, blocked.status], ["status-a", false], "blocked");
    eq((await users.get({ userId: "status-a" })).status, false, "read back");
    const account = new Account(sessionClient(session.secret));
    await rejects(account.get(), 403, "user_blocked", "a blocked user's session");
    const later = await users.createSession({ userId: "status-a" });
    await rejects(
      new Account(sessionClient(later.secret)).get(),
      403,
      "user_blocked",
      "a session made for a blocked user (allowed) does not work",
    );
    await rejects(
      signIn("status-a@example.com", PASSWORD),
      403,
      "user_blocked",
      "a blocked user signing in",
    );
    eq((await users.updateStatus({ userId: "status-a", status: true })).status, true, "unblocked");
    eq((await account.get()).$id, "status-a", "the session works again");
    await rejects(
      users.updateStatus({ userId: "nobody", status: true }),
      404,
      "user_not_found",
      "unknown user",
    );
  },

  async listTargets() {
    await newUser("ltargets-a", { phone: "+16175550131" });
    for (const n of [0, 1, 2]) {
      await users.createTarget({
        userId: "ltargets-a",
        targetId: `ltargets-push${n}`,
        providerType: MessagingProviderType.Push,
        identifier: `ltargets-token${n}`,
      });
    }
    const all = await users.listTargets({ userId: "ltargets-a" });
    eq(keysOf(all), ["total", "targets"], "TargetList keys");
    eq(all.total, 5, "total");
    eq(
      summary(all.targets),
      [
        ["email", "ltargets-a@example.com"],
        ["sms", "+16175550131"],
        ["push", "ltargets-token0"],
        ["push", "ltargets-token1"],
        ["push", "ltargets-token2"],
      ],
      "targets in creation order",
    );
    targetShape(all.targets[2], "listed target");
    const pushes = await users.listTargets({
      userId: "ltargets-a",
      queries: [Query.equal("providerType", ["push"])],
    });
    eq(
      [pushes.total, idsOf(pushes.targets)],
      [3, ["ltargets-push0", "ltargets-push1", "ltargets-push2"]],
      "equal(providerType)",
    );
    const after = await users.listTargets({
      userId: "ltargets-a",
      queries: [Query.cursorAfter("ltargets-push0"), Query.limit(1)],
    });
    eq([after.total, idsOf(after.targets)], [5, ["ltargets-push1"]], "cursorAfter and limit");
    const foreign = await users.listTargets({
      userId: "ltargets-a",
      queries: [Query.equal("userId", ["someone-else"])],
    });
    eq(foreign, { total: 0, targets: [] }, "only the user's own targets");
    const uncounted = await users.listTargets({ userId: "ltargets-a", total: false });
    eq([uncounted.total, uncounted.targets.length], [0, 5], "total=false");
    const cursor = await rejects(
      users.listTargets({ userId: "ltargets-a", queries: [Query.cursorAfter("nope")] }),
      400,
      "general_cursor_not_found",
      "unknown cursor",
    );
    eq(cursor.message, "Target 'nope' for the 'cursor' value not found.", "cursor message");
    await rejects(
      users.listTargets({ userId: "ltargets-a", queries: [Query.equal("name", ["x"])] }),
      400,
      "general_argument_invalid",
      "name is not a target query attribute",
    );
    await rejects(users.listTargets({ userId: "nobody" }), 404, "user_not_found", "unknown user");
  },

  async createTarget() {
    await newUser("ctarget-a");
    await newUser("ctarget-b");
    const provider = await messaging.createFcmProvider({ providerId: "ctarget-fcm", name: "FCM" });
    eq([provider.$id, provider.type], ["ctarget-fcm", "push"], "a push provider");
    const push = await users.createTarget({
      userId: "ctarget-a",
      targetId: "ctarget-push",
      providerType: MessagingProviderType.Push,
      identifier: "ctarget-device-token",
      providerId: "ctarget-fcm",
      name: "Phone",
    });
    targetShape(push, "push target");
    eq(
      [
        push.$id,
        push.userId,
        push.name,
        push.providerId,
        push.providerType,
        push.identifier,
        push.expired,
      ],
      ["ctarget-push", "ctarget-a", "Phone", "ctarget-fcm", "push", "ctarget-device-token", false],
      "push target fields",
    );
    const mail = await users.createTarget({
      userId: "ctarget-a",
      targetId: ID.unique(),
      providerType: MessagingProviderType.Email,
      identifier: "CTarget-Mail@Example.com",
    });
    ok(UNIQUE_ID.test(mail.$id), "unique() target id", mail.$id);
    eq(
      [mail.identifier, mail.name, mail.providerId],
      ["ctarget-mail@example.com", "", null],
      "email target, lowercased",
    );
    const sms = await users.createTarget({
      userId: "ctarget-a",
      targetId: "ctarget-sms",
      providerType: MessagingProviderType.Sms,
      identifier: "+16175550151",
      providerId: "ghost",
    });
    eq([sms.identifier, sms.providerId], ["+16175550151", null], "an unknown provider is not kept");
    eq(
      summary((await users.get({ userId: "ctarget-a" })).targets),
      [
        ["email", "ctarget-a@example.com"],
        ["push", "ctarget-device-token"],
        ["email", "ctarget-mail@example.com"],
        ["sms", "+16175550151"],
      ],
      "on the user",
    );
    const target = (targetId, providerType, identifier, userId = "ctarget-b") =>
      users.createTarget({ userId, targetId, providerType, identifier });
    const { Email, Sms } = MessagingProviderType;
    await rejects(target("x1", Email, "nope"), 400, "general_invalid_email", "bad email");
    await rejects(target("x2", Sms, "12345"), 400, "general_invalid_phone", "bad phone");
    await rejects(
      target("ctarget-push", MessagingProviderType.Push, "another-token", "ctarget-a"),
      409,
      "user_target_already_exists",
      "same target id",
    );
    await rejects(
      target("x3", MessagingProviderType.Email, "ctarget-a@example.com"),
      409,
      "user_target_already_exists",
      "an identifier another target has",
    );
    await rejects(
      users.createTarget({
        userId: "ctarget-b",
        targetId: "x5",
        providerType: MessagingProviderType.Push,
        identifier: "t5",
        name: "",
      }),
      400,
      "general_argument_invalid",
      "an empty name",
    );
    await rejects(
      target("x4", MessagingProviderType.Push, "t", "nobody"),
      404,
      "user_not_found",
      "unknown user",
    );
  },

  async getTarget() {
    await newUser("gtarget-a");
    await newUser("gtarget-b");
    const made = await users.createTarget({
      userId: "gtarget-a",
      targetId: "gtarget-push",
      providerType: MessagingProviderType.Push,
      identifier: "gtarget-token",
      name: "Tablet",
    });
    const read = await users.getTarget({ userId: "gtarget-a", targetId: "gtarget-push" });
    targetShape(read, "target");
    eq(read, made, "get equals create");
    const email = (await users.get({ userId: "gtarget-a" })).targets[0];
    const emailTarget = await users.getTarget({ userId: "gtarget-a", targetId: email.$id });
    eq(emailTarget, email, "the email target");
    await rejects(
      users.getTarget({ userId: "gtarget-b", targetId: "gtarget-push" }),
      404,
      "user_target_not_found",
      "another user's target",
    );
    await rejects(
      users.getTarget({ userId: "gtarget-a", targetId: "missing" }),
      404,
      "user_target_not_found",
      "unknown target",
    );
    await rejects(
      users.getTarget({ userId: "nobody", targetId: "gtarget-push" }),
      404,
      "user_not_found",
      "unknown user",
    );
  },

  async updateTarget() {
    await newUser("utarget-a");
    await messaging.createSendgridProvider({
      providerId: "utarget-mail",
      name: "Mail",
      apiKey: "k",
    });
    await messaging.createTwilioProvider({ providerId: "utarget-sms", name: "SMS" });
    const push = await users.createTarget({
      userId: "utarget-a",
      targetId: "utarget-push",
      providerType: MessagingProviderType.Push,
      identifier: "utarget-token1",
      name: "Old",
    });
    const renamed = await users.updateTarget({
      userId: "utarget-a",
      targetId: "utarget-push",
      identifier: "utarget-token2",
      name: "New",
    });
    targetShape(renamed, "updated");
    eq(
      [renamed.$id, renamed.identifier, renamed.name, renamed.expired, renamed.$createdAt],
      ["utarget-push", "utarget-token2", "New", false, push.$createdAt],
      "identifier and name",
    );
    const read = await users.getTarget({ userId: "utarget-a", targetId: "utarget-push" });
    eq(read, renamed, "read back");
    const email = (await users.get({ userId: "utarget-a" })).targets[0];
    const linked = await users.updateTarget({
      userId: "utarget-a",
      targetId: email.$id,
      providerId: "utarget-mail",
    });
    eq([linked.providerId, linked.identifier], ["utarget-mail", "utarget-a@example.com"], "linked");
    await rejects(
      users.updateTarget({ userId: "utarget-a", targetId: email.$id, providerId: "utarget-sms" }),
      400,
      "provider_incorrect_type",
      "an sms provider on an email target",
    );
    await rejects(
      users.updateTarget({ userId: "utarget-a", targetId: email.$id, providerId: "ghost" }),
      404,
      "provider_not_found",
      "unknown provider",
    );
    await rejects(
      users.updateTarget({ userId: "utarget-a", targetId: email.$id, identifier: "not an email" }),
      400,
      "general_invalid_email",
      "an invalid email",
    );
    await rejects(
      users.updateTarget({ userId: "utarget-a", targetId: "missing", name: "x" }),
      404,
      "user_target_not_found",
      "unknown target",
    );
    await rejects(
      users.updateTarget({ userId: "nobody", targetId: "utarget-push", name: "x" }),
      404,
      "user_not_found",
      "unknown user",
    );
  },

  async deleteTarget() {
    await newUser("dtarget-a");
    await newUser("dtarget-b");
    await users.createTarget({
      userId: "dtarget-a",
      targetId: "dtarget-push",
      providerType: MessagingProviderType.Push,
      identifier: "dtarget-token",
    });
    await rejects(
      users.deleteTarget({ userId: "dtarget-b", targetId: "dtarget-push" }),
      404,
      "user_target_not_found",
      "another user's target",
    );
    const deleted = await users.deleteTarget({ userId: "dtarget-a", targetId: "dtarget-push" });
    noContent(deleted, "delete");
    await rejects(
      users.getTarget({ userId: "dtarget-a", targetId: "dtarget-push" }),
      404,
      "user_target_not_found",
      "get after delete",
    );
    const user = await users.get({ userId: "dtarget-a" });
    eq(summary(user.targets), [["email", "dtarget-a@example.com"]], "the email target is left");
    await rejects(
      users.deleteTarget({ userId: "dtarget-a", targetId: "dtarget-push" }),
      404,
      "user_target_not_found",
      "a second delete",
    );
    await rejects(
      users.deleteTarget({ userId: "nobody", targetId: "x" }),
      404,
      "user_not_found",
      "unknown user",
    );
  },

  async createToken() {
    await newUser("token-a");
    const token = await users.createToken({ userId: "token-a" });
    eq(keysOf(token), TOKEN_KEYS, "Token keys");
    eq([token.userId, token.phrase], ["token-a", ""], "userId, phrase");
    ok(/^[0-9a-f]{6}$/.test(token.secret), "six hex characters", token.secret);
    ok(WIRE_TIME.test(token.$createdAt), "$createdAt", token.$createdAt);
    inAbout(token.expire, 900, "expire (15 minutes)");
    const long = await users.createToken({ userId: "token-a", length: 32, expire: 60 });
    ok(/^[0-9a-f]{32}$/.test(long.secret), "32 hex characters", long.secret);
    inAbout(long.expire, 60, "expire (a minute)");
    const guest = new Account(guestClient());
    const session = await guest.createSession({ userId: "token-a", secret: token.secret });
    eq(
      [session.userId, session.provider, session.factors],
      ["token-a", "token", ["token"]],
      "exchanged for a session",
    );
    await rejects(
      guest.createSession({ userId: "token-a", secret: token.secret }),
      401,
      "user_invalid_token",
      "a token works once",
    );
    await rejects(
      users.createToken({ userId: "token-a", length: 1 }),
      400,
      "general_argument_invalid",
      "length under 4",
    );
    await rejects(
      users.createToken({ userId: "token-a", expire: 1 }),
      400,
      "general_argument_invalid",
      "expire under 60",
    );
    await rejects(
      users.createToken({ userId: "token-a", expire: 31536001 }),
      400,
      "general_argument_invalid",
      "expire over a year",
    );
    await rejects(users.createToken({ userId: "nobody" }), 404, "user_not_found", "unknown user");
  },

  async updateEmailVerification() {
    await newUser("everify-a");
    const verified = await users.updateEmailVerification({
      userId: "everify-a",
      emailVerification: true,
    });
    userShape(verified, "verified");
    eq([verified.$id, verified.emailVerification], ["everify-a", true], "verified");
    eq((await users.get({ userId: "everify-a" })).emailVerification, true, "read back");
    eq(
      (await users.updateEmailVerification({ userId: "everify-a", emailVerification: false }))
        .emailVerification,
      false,
      "unverified",
    );
    await rejects(
      users.updateEmailVerification({ userId: "nobody", emailVerification: true }),
      404,
      "user_not_found",
      "unknown user",
    );
  },

  async updatePhoneVerification() {
    await newUser("pverify-a", { phone: "+16175550161" });
    const verified = await users.updatePhoneVerification({
      userId: "pverify-a",
      phoneVerification: true,
    });
    userShape(verified, "verified");
    eq([verified.$id, verified.phoneVerification], ["pverify-a", true], "verified");
    eq((await users.get({ userId: "pverify-a" })).phoneVerification, true, "read back");
    eq(
      (await users.updatePhoneVerification({ userId: "pverify-a", phoneVerification: false }))
        .phoneVerification,
      false,
      "unverified",
    );
    await rejects(
      users.updatePhoneVerification({ userId: "nobody", phoneVerification: true }),
      404,
      "user_not_found",
      "unknown user",
    );
  },
};

// Running them --------------------------------------------------------------------------

function describe(error) {
  if (error instanceof AppwriteException) {
    const where = error.call ? ` from ${error.call}` : "";
    return `unexpected ${error.code} ${error.type}${where}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

const methods = Object.getOwnPropertyNames(Users.prototype).filter(
  (name) => name !== "constructor" && typeof Users.prototype[name] === "function",
);
let failures = 0;
const report = (line) => {
  if (!line.ok) failures += 1;
  console.log(JSON.stringify(line));
};

for (const method of methods) {
  const run = Object.hasOwn(cases, method) ? cases[method] : undefined;
  if (run === undefined) {
    report({ method, ok: false, error: "no case for this Users method in users_conformance.mjs" });
    continue;
  }
  called.clear();
  try {
    await run();
    if (!called.has(method)) throw new Error(`the case never called users.${method}`);
    report({ method, ok: true });
  } catch (error) {
    report({ method, ok: false, error: describe(error) });
  }
}
for (const method of Object.keys(cases)) {
  if (!methods.includes(method)) {
    report({ method, ok: false, error: "a case for a method Users does not have" });
  }
}
process.exitCode = failures === 0 ? 0 : 1;
