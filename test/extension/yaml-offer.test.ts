// The one-time offer of Red Hat's YAML extension (completion and schema checks as you type).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { offerYamlExtension, YAML_EXTENSION, type YamlOfferHost } from '../../extension/yamlOffer';

function host(installed: boolean, answer: string | undefined) {
  const state = new Map<string, unknown>();
  const shown: string[][] = [];
  const installs: string[] = [];
  const h: YamlOfferHost = {
    installed: () => installed,
    get: (key) => state.get(key),
    update: async (key, value) => void state.set(key, value),
    show: async (message, ...items) => {
      shown.push([message, ...items]);
      return answer;
    },
    install: async (id) => void installs.push(id),
  };
  return { h, shown, installs };
}

describe('offer of the YAML extension', () => {
  it('is made once, with Install, when the extension is missing; Install installs it', async () => {
    const { h, shown, installs } = host(false, 'Install');
    await offerYamlExtension(h);
    await offerYamlExtension(h);
    assert.equal(shown.length, 1);
    assert.match(shown[0][0], /Red Hat/);
    assert.ok(shown[0].includes('Install'));
    assert.deepEqual(installs, [YAML_EXTENSION]);
  });

  it('a dismissed offer is not made again and installs nothing', async () => {
    const { h, shown, installs } = host(false, undefined);
    await offerYamlExtension(h);
    await offerYamlExtension(h);
    assert.equal(shown.length, 1);
    assert.deepEqual(installs, []);
  });

  it('is not made when the extension is installed', async () => {
    const { h, shown } = host(true, 'Install');
    await offerYamlExtension(h);
    assert.equal(shown.length, 0);
  });
});
