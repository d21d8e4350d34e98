import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  credentialOf,
  corsHeaders,
  hasSessionCookie,
  pathBelowPrefix,
  routeRequest,
} from '../src/bridge/bridge-routes.js';
import { claimAt } from '../src/bridge/claim-mapping.js';
import { refusal, wwwAuthenticate } from '../src/bridge/refusal-reasons.js';
import { CliError } from '../src/cli/cli-error.js';
import { parseAttributes } from '../src/cli/commands/bridge.js';

/** The bridge's small parsers, with properties over generated input (fast-check) and the edge cases by name. */

const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{0,40}$/);
const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,20}$/);

describe('bridge parsers', () => {
  it('Authorization: any Bearer token comes back as it was; anything else is malformed; never throws', () => {
    fc.assert(
      fc.property(
        token,
        fc.constantFrom('Bearer', 'bearer', 'BEARER'),
        fc.constantFrom('', ' ', '  '),
        (value, scheme, pad) => {
          assert.deepEqual(credentialOf(`${pad}${scheme} ${value}${pad}`, undefined, undefined), {
            kind: 'bearer',
            token: value,
          });
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
        (header, cookie) => {
          const credential = credentialOf(header, cookie, undefined);
          assert.ok(credential.kind === 'bearer' || credential.kind === 'malformed');
        },
      ),
    );
    assert.deepEqual(credentialOf('Basic abc', undefined, undefined), { kind: 'malformed' });
    assert.deepEqual(credentialOf('Bearer', undefined, undefined), { kind: 'malformed' });
  });

  it('session cookies: X-Qlik-Session… by default, the configured name (and its -HTTP form) otherwise', () => {
    assert.equal(hasSessionCookie('a=1; X-Qlik-Session-jwt-HTTP=abc', undefined), true);
    assert.equal(hasSessionCookie('x-qlik-session=abc', undefined), true);
    assert.equal(hasSessionCookie('other=1; X-Qlik-Sessio=2', undefined), false);
    assert.equal(hasSessionCookie('MySession-HTTP=1', 'MySession'), true);
    assert.equal(hasSessionCookie('X-Qlik-Session-jwt=1', 'MySession'), false);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (cookie) => {
        assert.equal(typeof hasSessionCookie(cookie, undefined), 'boolean');
      }),
    );
  });

  it('routes: the prefix case-insensitively, the token endpoint, ops paths; nothing else', () => {
    assert.deepEqual(routeRequest('jwt', '/JWT/qps/user'), { kind: 'proxy' });
    assert.deepEqual(routeRequest('jwt', '/jwt/qs-jwt/token'), { kind: 'token' });
    assert.deepEqual(routeRequest('jwt', '/jwtx/qps'), { kind: 'not-found' });
    assert.deepEqual(routeRequest('jwt', '/healthz'), { kind: 'healthz' });
    assert.equal(pathBelowPrefix('jwt', '/jwt'), '/');
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (path) => {
        const route = routeRequest('jwt', `/${path}`);
        if (route.kind === 'proxy' || route.kind === 'token') assert.ok(`/${path}`.toLowerCase().startsWith('/jwt'));
      }),
    );
  });

  it('CORS only for listed origins, exactly', () => {
    assert.equal(
      corsHeaders('https://portal.example.com', ['https://portal.example.com'])?.['access-control-allow-origin'],
      'https://portal.example.com',
    );
    assert.equal(corsHeaders('https://portal.example.com.evil.test', ['https://portal.example.com']), undefined);
    assert.equal(corsHeaders(undefined, ['https://portal.example.com']), undefined);
  });

  it('dotted claim names reach into objects but never into prototypes', () => {
    assert.deepEqual(claimAt({ realm_access: { roles: ['a'] } }, 'realm_access.roles'), ['a']);
    assert.equal(claimAt({ 'a.b': 1, a: { b: 2 } }, 'a.b'), 1, 'a literal dotted claim wins');
    assert.equal(claimAt({ a: {} }, 'a.constructor'), undefined);
    assert.equal(claimAt({}, '__proto__.x'), undefined);
  });

  it('--attribute CLAIM=NAME round-trips; other shapes are one usage error', () => {
    fc.assert(
      fc.property(name, name, (claim, target) => {
        assert.deepEqual(parseAttributes([`${claim}=${target}`]), [{ claim, name: target }]);
      }),
    );
    for (const bad of ['email', '=email', 'email=', 'a=b=c'])
      assert.throws(() => parseAttributes([bad]), CliError, bad);
  });

  it('RFC 6750 error_description stays a valid quoted-string for any reason text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const header = wwwAuthenticate(refusal('expired', text));
        assert.match(
          header,
          /^Bearer realm="qs-jwt bridge", error="invalid_token", error_description="[\x20\x21\x23-\x5b\x5d-\x7e]*"$/,
        );
      }),
    );
  });
});
