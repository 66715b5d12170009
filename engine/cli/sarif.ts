// Lint results as SARIF 2.1.0, as GitHub code scanning reads them: every rule with its help page
// (helpUri and the page's markdown), file locations relative to a root given as an
// originalUriBaseId, and URIs percent-encoded so that any file name makes a valid uri-reference.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from '../model/types';
import { isOutside } from '../paths';
import type { RuleInfo } from '../lint/rule';
import { flatten, type FileFindings } from './lint-output';

/** Where the rule pages are published; a rule's `docs` path is relative to it. */
export const DOCS_BASE = 'https://github.com/stepwise/stepwise/blob/main/';
/** The base id of the locations: their URIs are relative to the root (`--sarif-root`). */
export const ROOT_BASE_ID = 'SRCROOT';

export interface SarifRule extends RuleInfo {
  /** The rule's page (markdown), when it could be read. */
  page?: string;
}

export interface SarifOptions {
  /** Absolute folder the file URIs are relative to. */
  root: string;
  /** The folder relative file names are resolved from. */
  cwd: string;
  toolVersion: string;
}

const LEVEL: Record<Diagnostic['severity'], 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export function formatSarif(results: FileFindings[], rules: readonly SarifRule[], options: SarifOptions): string {
  const root = path.resolve(options.root);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'stepwise',
            version: options.toolVersion,
            semanticVersion: options.toolVersion,
            informationUri: 'https://github.com/stepwise/stepwise',
            rules: rules.map(sarifRule),
          },
        },
        originalUriBaseIds: { [ROOT_BASE_ID]: { uri: directoryUri(root) } },
        results: flatten(results).map((f) => ({
          ruleId: f.code,
          ...(ruleIndex.has(f.code) ? { ruleIndex: ruleIndex.get(f.code) } : {}),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifactLocation(path.resolve(options.cwd, f.file), root),
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}

function sarifRule(rule: SarifRule) {
  const what = rule.page ? section(rule.page, 'What it finds') : undefined;
  const body = rule.page ? rule.page.replace(/^# .*\n+/, '') : undefined;
  return {
    id: rule.id,
    name: rule.id.replace(/(^|-)([a-z])/g, (_, _dash: string, c: string) => c.toUpperCase()),
    shortDescription: { text: plain(rule.description), markdown: rule.description },
    fullDescription: what ? { text: plain(what), markdown: what } : { text: plain(rule.description), markdown: rule.description },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    helpUri: DOCS_BASE + rule.docs.split('/').map(encodeURIComponent).join('/'),
    help: body ? { text: body, markdown: body } : { text: `${plain(rule.description)} See ${DOCS_BASE}${rule.docs}.` },
  };
}

/** A location relative to the root when the file is inside it, else an absolute file URI. */
function artifactLocation(file: string, root: string): { uri: string; uriBaseId?: string } {
  const relative = path.relative(root, file);
  if (!relative || isOutside(file, root)) return { uri: pathToFileURL(file).href };
  return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: ROOT_BASE_ID };
}

function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : href + '/';
}

/** The paragraphs under a `## heading` of a rule page. */
function section(page: string, heading: string): string | undefined {
  const m = new RegExp(`^## ${heading}\\n([\\s\\S]*?)(?=\\n## |$)`, 'm').exec(page);
  return m ? m[1].trim() : undefined;
}

function plain(markdown: string): string {
  return markdown.replace(/`([^`]*)`/g, "'$1'").replace(/\*\*([^*]*)\*\*/g, '$1');
}

/** The rule pages, read from the docs folder of the installed package (found above this file). */
export function withPages(rules: readonly RuleInfo[], from = __dirname): SarifRule[] {
  const base = packageRoot(from);
  return rules.map((r) => {
    if (!base) return { ...r };
    try {
      return { ...r, page: fs.readFileSync(path.join(base, r.docs), 'utf8').replace(/\r\n/g, '\n') };
    } catch {
      return { ...r };
    }
  });
}

function packageRoot(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (isStepwisePackage(dir) && fs.existsSync(path.join(dir, 'docs', 'rules'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function isStepwisePackage(dir: string): boolean {
  try {
    const name = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name;
    // The extension's own package, or the CLI's (packages/cli, published as @stepwise-tasks/cli).
    return name === 'stepwise' || name === '@stepwise-tasks/cli';
  } catch {
    return false;
  }
}

/** The repository root above a folder (a `.git` folder or file), else undefined. */
export function gitRoot(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}
