// The Host and Origin checks of `stepwise serve` (engine/server/guard.ts) on arbitrary headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crossSite, hostAllowed } from '../../engine/server/guard';

const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?$/i;
const tokenless = { token: false, allowedHosts: [] };

const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const withPort = (h: string, p: number | undefined) => (p === undefined ? h : `${h}:${p}`);
const loopbackHost = fc.tuple(fc.constantFrom('localhost', 'LOCALHOST', 'LocalHost', '127.0.0.1', '[::1]'), port).map(([h, p]) => withPort(h, p));
const anyHost = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.domain(), fc.tuple(fc.domain(), port).map(([h, p]) => withPort(h, p)), loopbackHost);

test('without a token, a Host is accepted only when it is a loopback name', () => {
  fc.assert(
    fc.property(anyHost, (host) => {
      if (hostAllowed(host, tokenless)) assert.match(host, LOOPBACK);
    }),
    { numRuns: 2000 },
  );
  fc.assert(fc.property(loopbackHost, (host) => assert.equal(hostAllowed(host, tokenless), true, host)));
  assert.equal(hostAllowed(undefined, tokenless), false, 'a request without Host is refused');
});

test('with a token, any Host; with allowed hosts, only those and the loopback names', () => {
  fc.assert(fc.property(anyHost, (host) => assert.equal(hostAllowed(host, { token: true, allowedHosts: [] }), true)));
  fc.assert(
    fc.property(fc.domain(), fc.domain(), port, fc.boolean(), (allowed, other, p, token) => {
      const policy = { token, allowedHosts: [allowed] };
      assert.equal(hostAllowed(withPort(allowed.toUpperCase(), p), policy), true);
      assert.equal(hostAllowed(withPort(other, p), policy), other.toLowerCase() === allowed.toLowerCase() || LOOPBACK.test(other));
    }),
  );
});

test('a request is cross-site unless its Origin is the server itself and the browser does not say otherwise', () => {
  const host = fc.oneof(loopbackHost, fc.tuple(fc.domain(), port).map(([h, p]) => withPort(h, p)));
  const site = fc.option(fc.constantFrom('same-origin', 'none', 'same-site', 'cross-site'), { nil: undefined });
  const origin = fc.option(fc.oneof(fc.string(), fc.webUrl(), fc.constant('null')), { nil: undefined });
  fc.assert(
    fc.property(host, origin, site, (h, o, s) => {
      const cross = crossSite({ host: h, origin: o, 'sec-fetch-site': s });
      if (s === 'same-site' || s === 'cross-site') assert.equal(cross, true);
      if (!cross && o !== undefined) assert.ok([`http://${h.toLowerCase()}`, `https://${h.toLowerCase()}`].includes(o), `${o} passed for ${h}`);
      if (o === undefined && s !== 'same-site' && s !== 'cross-site') assert.equal(cross, false, 'a client that is not a browser');
    }),
    { numRuns: 2000 },
  );
  fc.assert(fc.property(host, fc.constantFrom('http', 'https'), (h, scheme) => assert.equal(crossSite({ host: h, origin: `${scheme}://${h.toLowerCase()}` }), false)));
});
