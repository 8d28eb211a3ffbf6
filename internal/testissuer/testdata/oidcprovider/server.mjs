// An independent OIDC issuer for wifwiz's tests: node-oidc-provider with the client credentials
// grant and JWT access tokens (resource indicators). Started by internal/testissuer with a JSON
// configuration file; it prints {"port": N} on stdout once it listens on 127.0.0.1.
//
// Configuration: issuer (may contain {port}), mount (the issuer's path, e.g. /dex), clients
// [{client_id, client_secret, code_only}] (code_only: may not use client credentials), audience, scope (the resource server's scopes), ttl (seconds),
// alg (RS256 or ES256), tls {cert, key} (file paths; absent: plain http), control (a token that
// authorises POST /_wifwiz/rotate, which publishes a new signing key and signs with it at once).
import { readFileSync } from 'node:fs';
import { createServer as createHTTPS } from 'node:https';
import { createServer as createHTTP } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function newKey(alg) {
  const { privateKey } = alg.startsWith('ES')
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg, use: 'sig' };
}

// The signing keys, newest first: the provider signs with the first key of the alg it uses and
// publishes them all.
let keys = [newKey(cfg.alg), newKey(cfg.alg === 'ES256' ? 'RS256' : 'ES256')];
let issuer;
let provider;

function build() {
  const p = new Provider(issuer, {
    clients: cfg.clients.map((c) => (c.code_only
      ? {
        client_id: c.client_id,
        client_secret: c.client_secret,
        grant_types: ['authorization_code'],
        redirect_uris: ['https://app.example.test/callback'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      }
      : {
        client_id: c.client_id,
        client_secret: c.client_secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_post',
      })),
    jwks: { keys },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => cfg.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: cfg.scope,
          audience: cfg.audience,
          accessTokenTTL: cfg.ttl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: cfg.alg } },
        }),
      },
    },
  });
  return p.callback();
}

function control(req, res) {
  if (req.method !== 'POST' || req.headers['x-control'] !== cfg.control) {
    res.writeHead(403).end();
    return;
  }
  if (req.url === '/_wifwiz/rotate') {
    keys = [newKey(cfg.alg), ...keys];
    provider = build();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kid: keys[0].kid }));
    return;
  }
  res.writeHead(404).end();
}

function handle(req, res) {
  if (req.url.startsWith('/_wifwiz/')) {
    control(req, res);
    return;
  }
  const mount = cfg.mount || '';
  if (mount && req.url !== mount && !req.url.startsWith(mount + '/')) {
    res.writeHead(404).end();
    return;
  }
  // oidc-provider reads its mount path from originalUrl, as under express.
  req.originalUrl = req.url;
  req.url = req.url.slice(mount.length) || '/';
  provider(req, res);
}

const server = cfg.tls
  ? createHTTPS({ cert: readFileSync(cfg.tls.cert), key: readFileSync(cfg.tls.key) }, handle)
  : createHTTP(handle);

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  issuer = cfg.issuer.replace('{port}', String(port));
  provider = build();
  process.stdout.write(JSON.stringify({ port, issuer }) + '\n');
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
