// An independent OIDC provider for wifwiz's sign-in tests: node-oidc-provider with the
// authorization code flow and its development interactions on (a login page that takes any
// login and password, then a consent page). Started by internal/testissuer (StartLogin) with a
// JSON configuration file; it prints {"port": N, "issuer": "..."} on stdout once it listens on
// 127.0.0.1.
//
// Configuration: issuer (may contain {port}; at the server's root, since the development
// interactions live at /interaction/… whatever the issuer's path), clients
// [{client_id, client_secret, redirect_uris}], users {login: {name, email, groups}} (the
// claims of the profile and email scopes; any other login signs in with a sub only), tls
// {cert, key} (file paths).
//
// The ID token carries only the registered claims, as the OpenID Connect spec has it for
// claims asked for by scope: name and groups come from the userinfo endpoint.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keys = [{ ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' }];

function build(issuer) {
  const p = new Provider(issuer, {
    clients: cfg.clients.map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      redirect_uris: c.redirect_uris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    jwks: { keys },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], profile: ['name', 'groups'], email: ['email'] },
    findAccount: (ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, ...(cfg.users[id] || {}) }),
    }),
    features: { devInteractions: { enabled: true } },
  });
  return p.callback();
}

let provider;

const server = createServer({ cert: readFileSync(cfg.tls.cert), key: readFileSync(cfg.tls.key) }, (req, res) => provider(req, res));

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = cfg.issuer.replace('{port}', String(port));
  provider = build(issuer);
  process.stdout.write(JSON.stringify({ port, issuer }) + '\n');
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
