// A real OpenID Connect provider (oidc-provider) for the tests, on plain http at 127.0.0.1.
//
//   node provider.mjs PORT CONFIG.json      (PORT 0: any free port)
//
// CONFIG.json: {"clients": [...], "accounts": [...], "refresh_tokens": "always" | "offline_access",
//               "auto_consent": false}
// clients are oidc-provider client metadata (client_id, client_secret, redirect_uris,
// token_endpoint_auth_method, ...); accounts are {sub, email, email_verified, name, ...claims}.
//
// When it listens it prints one line to stdout, {"issuer": ..., "port": ...}, and nothing else
// there; logs and warnings go to stderr. It stops when stdin closes, or on SIGTERM / SIGINT.
//
// Sign-in needs no JavaScript: GET /interaction/<uid> answers a plain HTML form,
//   login   (form id "login"):   POST /interaction/<uid>/login    login=<sub or email>[&password=any]
//   consent (form id "consent"): POST /interaction/<uid>/confirm
//   deny    (form id "deny"):    POST /interaction/<uid>/abort    (access_denied to the client)
// each answered by a 303 back into the provider. The interaction and session cookies the
// provider sets must be sent back, so the browser side needs a cookie jar.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

// oidc-provider prints notices with console.info; stdout carries only the ready line.
console.info = (...args) => console.error(...args);
console.log = (...args) => console.error(...args);

const [portArgument, configPath] = process.argv.slice(2);
if (portArgument === undefined || configPath === undefined) {
  console.error('usage: node provider.mjs PORT CONFIG.json');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const accounts = config.accounts ?? [];
const refreshTokens = config.refresh_tokens ?? 'always';
if (!['always', 'offline_access'].includes(refreshTokens)) {
  throw new Error(`refresh_tokens must be "always" or "offline_access", not ${refreshTokens}`);
}

const STANDARD_PROFILE_CLAIMS = [
  'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username',
  'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at',
];

function accountBySub(sub) {
  return accounts.find((account) => account.sub === sub);
}

function accountByLogin(login) {
  const wanted = String(login ?? '').trim();
  return accountBySub(wanted)
    ?? accounts.find((account) => typeof account.email === 'string'
      && account.email.toLowerCase() === wanted.toLowerCase());
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

function clientMetadata(client) {
  return {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  };
}

function configuration() {
  return {
    clients: (config.clients ?? []).map(clientMetadata),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: STANDARD_PROFILE_CLAIMS,
    },
    // The ID Token from the token endpoint carries the scopes' claims too (email, name...).
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      revocation: { enabled: true, allowedPolicy: async () => true },
    },
    async findAccount(_ctx, sub) {
      const account = accountBySub(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ ...account }) };
    },
    async issueRefreshToken(_ctx, client, code) {
      if (!client.grantTypeAllowed('refresh_token')) return false;
      return refreshTokens === 'always' || code.scopes.has('offline_access');
    },
    rotateRefreshToken: () => true,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
      Interaction: 600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Error', Object.entries(out)
        .map(([key, value]) => `<p class="${escape(key)}">${escape(key)}: ${escape(value)}</p>`).join('\n'));
    },
  };
}

function escape(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escape(title)}</title></head>\n`
    + `<body><h1>${escape(title)}</h1>\n${body}\n</body></html>\n`;
}

function loginPage(uid, details, error) {
  const hint = details.params.login_hint ?? '';
  return page('Sign-in', `${error ? `<p class="error">${escape(error)}</p>\n` : ''}`
    + `<form id="login" method="post" action="/interaction/${escape(uid)}/login">\n`
    + `<input type="text" name="login" value="${escape(hint)}">\n`
    + '<input type="password" name="password" value="">\n'
    + '<button type="submit">Sign-in</button>\n</form>');
}

function consentPage(uid, details) {
  const scopes = details.prompt.details.missingOIDCScope ?? [];
  return page('Authorize', `<p>${escape(details.params.client_id)} asks for: ${escape(scopes.join(' '))}</p>\n`
    + `<form id="consent" method="post" action="/interaction/${escape(uid)}/confirm">`
    + '<button type="submit">Allow</button></form>\n'
    + `<form id="deny" method="post" action="/interaction/${escape(uid)}/abort">`
    + '<button type="submit">Deny</button></form>');
}

function send(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

async function formBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function grantConsent(provider, details) {
  const { prompt, params, session, grantId } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return grant.save();
}

async function finishConsent(provider, req, res, details) {
  const grantId = await grantConsent(provider, details);
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

// /interaction/<uid>[/login|/confirm|/abort]
async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    send(res, 400, page('Error', '<p class="error">the interaction cookie is for another interaction</p>'));
    return;
  }
  const prompt = details.prompt.name;
  if (req.method === 'GET' && action === undefined) {
    if (prompt === 'login') {
      send(res, 200, loginPage(uid, details));
    } else if (prompt === 'consent' && config.auto_consent) {
      await finishConsent(provider, req, res, details);
    } else if (prompt === 'consent') {
      send(res, 200, consentPage(uid, details));
    } else {
      send(res, 501, page('Error', `<p class="error">prompt ${escape(prompt)} is not handled</p>`));
    }
    return;
  }
  if (req.method !== 'POST') {
    send(res, 405, page('Error', '<p class="error">method not allowed</p>'));
    return;
  }
  if (action === 'login' && prompt === 'login') {
    const login = (await formBody(req)).get('login');
    const account = accountByLogin(login);
    if (!account) {
      send(res, 401, loginPage(uid, details, `no account for login ${login ?? ''}`));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  } else if (action === 'confirm' && prompt === 'consent') {
    await finishConsent(provider, req, res, details);
  } else if (action === 'abort') {
    const result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  } else {
    send(res, 400, page('Error', `<p class="error">${escape(action)} does not answer prompt ${escape(prompt)}</p>`));
  }
}

const INTERACTION = /^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?\/?$/;

let provider;
let callback;
const server = createServer((req, res) => {
  const match = INTERACTION.exec(new URL(req.url, 'http://127.0.0.1').pathname);
  if (!match) {
    callback(req, res);
    return;
  }
  interaction(provider, req, res, match[1], match[2]).catch((error) => {
    console.error(error);
    if (!res.headersSent) {
      send(res, error.statusCode ?? 500, page('Error', `<p class="error">${escape(error.error ?? 'server_error')}: `
        + `${escape(error.error_description ?? error.message)}</p>`));
    }
  });
});

function stop() {
  server.closeAllConnections();
  server.close();
  process.exit(0);
}

server.listen(Number(portArgument), '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  provider = new Provider(issuer, configuration());
  provider.on('server_error', (_ctx, error) => console.error(error));
  callback = provider.callback();
  process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
});

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
