// Completion and hover of plugin kinds: the kinds where instruction kinds are completed, their
// argument names (from the schema's properties) inside a plugin instruction's mapping.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { PluginKindInfo } from '../../engine/plugins/define';
import { completionSite } from '../../extension/core/completion';
import { describePluginKind } from '../../extension/core/describe';

const CHECKSUM: PluginKindInfo = {
  kind: 'checksum',
  description: 'The digest of a text (hex).',
  args: {
    type: 'object',
    properties: { text: { type: 'string', description: 'The text to digest.' }, algorithm: { enum: ['sha256'] } },
    required: ['text'],
  },
  plugin: 'checksum',
  module: '/w/checksum.mjs',
};

function keysAt(text: string, plugins: PluginKindInfo[] = [CHECKSUM]) {
  const site = completionSite(text.replace('|', ''), text.indexOf('|'), plugins);
  return site?.kind === 'key' ? site.keys : undefined;
}

describe('completion of plugin kinds', () => {
  it('offers plugin kinds with their description where instruction kinds are completed', () => {
    const keys = keysAt('states:\n  a:\n    do:\n      - |');
    assert.deepEqual(keys?.find((k) => k.key === 'checksum'), { key: 'checksum', detail: 'The digest of a text (hex).' });
    assert.ok(keys?.some((k) => k.key === 'http'));
  });

  it('offers them as a parallel branch too', () => {
    const keys = keysAt('states:\n  a:\n    do:\n      - parallel:\n          one:\n            |');
    assert.ok(keys?.some((k) => k.key === 'checksum'));
  });

  it('offers the argument names inside a plugin instruction, with their descriptions', () => {
    const keys = keysAt('states:\n  a:\n    do:\n      - checksum:\n          |');
    assert.deepEqual(keys, [
      { key: 'text', detail: 'The text to digest.' },
      { key: 'algorithm', detail: 'checksum' },
    ]);
  });

  it('offers no plugin kinds without plugins', () => {
    assert.ok(!keysAt('states:\n  a:\n    do:\n      - |', [])?.some((k) => k.key === 'checksum'));
    assert.equal(keysAt('states:\n  a:\n    do:\n      - checksum:\n          |', []), undefined);
  });

  it('never throws on a schema of any shape', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (args) => {
        const info = { ...CHECKSUM, args: args as PluginKindInfo['args'] };
        keysAt('states:\n  a:\n    do:\n      - checksum:\n          |', [info]);
        describePluginKind(info);
      }),
    );
  });
});

describe('describePluginKind', () => {
  it('shows the description and the arguments, required ones marked', () => {
    const md = describePluginKind(CHECKSUM);
    assert.match(md, /\*\*`checksum`\*\* \(plugin `checksum`\)/);
    assert.match(md, /The digest of a text \(hex\)\./);
    assert.match(md, /- `text` \(required\) — The text to digest\./);
    assert.match(md, /- `algorithm`$/m);
  });
});
