// Preloaded into appwrite-cli (NODE_OPTIONS=--require) by tests/test_appwrite_cli.py.
// The CLI may talk to the loopback test server only: any other connection (an update
// check, telemetry, a default cloud endpoint) is refused before DNS is asked, and the
// attempt is printed to stderr, so the test fails even when the CLI swallows the error.
"use strict";
const net = require("net");

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
const connect = net.Socket.prototype.connect;

function target(args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first !== null && typeof first === "object") {
    return first.path ? null : { host: first.host || "localhost", port: first.port };
  }
  if (typeof first === "string" && !/^\d+$/.test(first)) {
    return null; // a local (unix) socket path
  }
  return { host: typeof args[1] === "string" ? args[1] : "localhost", port: first };
}

net.Socket.prototype.connect = function (...args) {
  const where = target(args);
  if (where !== null && !LOOPBACK.has(where.host)) {
    const message = `offline.cjs blocked a connection to ${where.host}:${where.port}`;
    process.stderr.write(`${message}\n`);
    throw new Error(message);
  }
  return connect.apply(this, args);
};
