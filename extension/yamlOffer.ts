// Completion, hovers and schema checks as you type in task files come from Red Hat's YAML
// extension (through the schemas this extension contributes). Without it they are missing with
// no word why, so say it once, with a button that installs it; never again, whatever the answer.
// No `vscode` import: the host is passed in, so the decision is testable on its own.

export const YAML_EXTENSION = 'redhat.vscode-yaml';
const ASKED = 'stepwise.yamlExtensionOffered';
const INSTALL = 'Install';

export interface YamlOfferHost {
  installed(): boolean;
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
  show(message: string, ...items: string[]): PromiseLike<string | undefined>;
  install(id: string): PromiseLike<unknown>;
}

export async function offerYamlExtension(host: YamlOfferHost): Promise<void> {
  if (host.installed() || host.get(ASKED)) return;
  await host.update(ASKED, true);
  const pick = await host.show(
    "Stepwise: completion, hovers and schema checks as you type in task files come from Red Hat's YAML extension, which is not installed. Lint, Run, Debug and the graph work without it.",
    INSTALL,
  );
  if (pick === INSTALL) await host.install(YAML_EXTENSION);
}
