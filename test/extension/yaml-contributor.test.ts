// The schema contributor given to Red Hat's YAML extension: which files get the task schema with
// their config's plugin kinds, and which keep the bundled one (its answer undefined).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { schemaContributor, schemaUriFor, SCHEMA_SCHEME, type ContributorHost } from '../../extension/core/yamlContributor';

const CONFIG = '/w/team a/stepwise.config.json';

function host(trusted = true): ContributorHost & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    trusted: () => trusted,
    configFor: (file) => (file.startsWith('/w/team a/') ? CONFIG : undefined),
    schemaFor: async (config, id) => {
      asked.push(config);
      return { $id: id, kinds: config };
    },
  };
}

const uri = (file: string) => pathToFileURL(file).href;

describe('the YAML schema contributor', () => {
  it('names the schema of the config that applies to a task file, in its own scheme', () => {
    const c = schemaContributor(host());
    const named = c.requestSchema(uri('/w/team a/deploy/release.task.yaml'));
    assert.equal(named, schemaUriFor(CONFIG));
    assert.equal(new URL(named!).protocol, `${SCHEMA_SCHEME}:`);
    assert.equal(c.requestSchema(uri('/w/team a/x.task.yml')), schemaUriFor(CONFIG));
  });

  it('leaves the bundled schema to task files without a config, other YAML files, other schemes and Restricted Mode', () => {
    const c = schemaContributor(host());
    assert.equal(c.requestSchema(uri('/w/other/release.task.yaml')), undefined);
    assert.equal(c.requestSchema(uri('/w/team a/deployment.yaml')), undefined);
    assert.equal(c.requestSchema(uri('/w/team a/release.test.yaml')), undefined);
    assert.equal(c.requestSchema('untitled:Untitled-1.task.yaml'), undefined);
    assert.equal(schemaContributor(host(false)).requestSchema(uri('/w/team a/release.task.yaml')), undefined);
  });

  it('gives the schema of the config its URI names, whatever the config path', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), async (name) => {
        const h = host();
        const config = `/w/${name}/stepwise.config.yaml`;
        const text = await schemaContributor(h).requestSchemaContent(schemaUriFor(config));
        assert.deepEqual(JSON.parse(text), { $id: schemaUriFor(config), kinds: config });
        assert.deepEqual(h.asked, [config]);
      }),
    );
  });

  it('refuses a URI that names no config', async () => {
    await assert.rejects(schemaContributor(host()).requestSchemaContent(`${SCHEMA_SCHEME}://plugins/task.schema.json`), /names no config file/);
  });
});
