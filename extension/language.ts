// Language features of task files, all answered from the engine's parsed model: completion,
// hover, go to definition, references, rename, the outline and the Run | Debug CodeLens.
// A provider never throws at the user: a half-typed file gives fewer answers, not an error
// (rename is the exception: its refusal is the message the user must see).
import * as vscode from 'vscode';

import type { Range as ModelRange, StateModel, TaskModel } from '../engine/model/types';
import type { PluginKindInfo } from '../engine/plugins/define';
import type { LoadedPlugins } from '../engine/plugins/lint-options';
import { completionSite } from './core/completion';
import { describeInstruction, describePluginKind, describeState, describeTransition } from './core/describe';
import { findState, invalidStateName, nameSpan, referencesTo, stateSiteAt, stateSites } from './core/states';
import { TASK_SELECTOR } from './config';
import type { TaskModels } from './models';

/** Above this size a completion uses the last finished parse rather than wait for a new one. */
const BIG_FILE_CHARS = 200_000;
/** Above this many states the outline lists states without their instructions and transitions. */
const MAX_STATES_WITH_CHILDREN = 1000;

function toRange(doc: vscode.TextDocument, r: ModelRange): vscode.Range {
  return new vscode.Range(doc.positionAt(r.start.offset), doc.positionAt(r.end.offset));
}

function nameRange(doc: vscode.TextDocument, text: string, r: ModelRange): vscode.Range {
  const span = nameSpan(text, r);
  return new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end));
}

class TaskLanguage
  implements
    vscode.CompletionItemProvider,
    vscode.HoverProvider,
    vscode.DefinitionProvider,
    vscode.ReferenceProvider,
    vscode.RenameProvider,
    vscode.DocumentSymbolProvider,
    vscode.CodeLensProvider
{
  constructor(
    private readonly models: TaskModels,
    private readonly pluginsFor: (file: string) => Promise<LoadedPlugins>,
  ) {}

  private async pluginKinds(doc: vscode.TextDocument): Promise<PluginKindInfo[]> {
    return doc.uri.scheme === 'file' ? (await this.pluginsFor(doc.uri.fsPath)).kinds : [];
  }

  /** The model of the document's current text, or undefined when it cannot be had. */
  private async current(doc: vscode.TextDocument): Promise<TaskModel | undefined> {
    try {
      return (await this.models.current(doc))?.result.model;
    } catch {
      return undefined;
    }
  }

  async provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[] | undefined> {
    const text = doc.getText();
    const site = completionSite(text, doc.offsetAt(position), await this.pluginKinds(doc));
    if (!site) return undefined;
    const range = new vscode.Range(doc.positionAt(site.from), doc.positionAt(site.to));
    if (site.kind === 'state') {
      let model: TaskModel | undefined;
      if (text.length > BIG_FILE_CHARS) model = this.models.latest(doc.uri)?.result.model;
      model ??= await this.current(doc);
      if (!model) return undefined;
      return model.states.map((s, i) => {
        const item = new vscode.CompletionItem(s.name, vscode.CompletionItemKind.EnumMember);
        item.range = range;
        item.detail = s.final ? `final state (${s.status ?? 'succeeded'})` : 'state';
        item.documentation = new vscode.MarkdownString(describeState(s, s.name === model!.start));
        item.sortText = String(i).padStart(6, '0');
        return item;
      });
    }
    if (site.kind === 'value') {
      return site.values.map((v) => {
        const item = new vscode.CompletionItem(v, vscode.CompletionItemKind.Value);
        item.range = range;
        return item;
      });
    }
    return site.keys.map((k, i) => {
      const item = new vscode.CompletionItem(k.key, vscode.CompletionItemKind.Property);
      item.range = range;
      item.insertText = `${k.key}: `;
      item.detail = k.detail;
      item.sortText = String(i).padStart(3, '0');
      // Typing a state name after `to: ` is the next thing a person does.
      if (k.key === 'to' || k.key === 'next') item.command = { title: vscode.l10n.t('Suggest states'), command: 'editor.action.triggerSuggest' };
      return item;
    });
  }

  async provideHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const plugin = await this.pluginHover(doc, position);
    if (plugin) return plugin;
    const model = await this.current(doc);
    if (!model) return undefined;
    const site = stateSiteAt(model, doc.offsetAt(position));
    if (!site) return undefined;
    const state = findState(model, site.name);
    const md = state
      ? describeState(state, state.name === model.start)
      : `**No state \`${site.name}\`** in this task. States: ${model.states.map((s) => `\`${s.name}\``).join(', ') || 'none'}.`;
    return new vscode.Hover(new vscode.MarkdownString(md), toRange(doc, site.range));
  }

  /** On a plugin kind's key (`checksum:`): its description and arguments. */
  private async pluginHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const range = doc.getWordRangeAtPosition(position, /[a-z][a-z0-9_-]*(?=\s*:)/);
    if (!range) return undefined;
    const word = doc.getText(range);
    const info = (await this.pluginKinds(doc)).find((k) => k.kind === word);
    return info ? new vscode.Hover(new vscode.MarkdownString(describePluginKind(info)), range) : undefined;
  }

  async provideDefinition(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Location | undefined> {
    const model = await this.current(doc);
    if (!model) return undefined;
    const site = stateSiteAt(model, doc.offsetAt(position));
    const state = site && findState(model, site.name);
    return state ? new vscode.Location(doc.uri, toRange(doc, state.keyRange)) : undefined;
  }

  async provideReferences(doc: vscode.TextDocument, position: vscode.Position, context: vscode.ReferenceContext): Promise<vscode.Location[] | undefined> {
    const model = await this.current(doc);
    if (!model) return undefined;
    const site = stateSiteAt(model, doc.offsetAt(position));
    if (!site) return undefined;
    const out: vscode.Location[] = [];
    const state = findState(model, site.name);
    if (context.includeDeclaration && state) out.push(new vscode.Location(doc.uri, toRange(doc, state.keyRange)));
    for (const ref of referencesTo(model, site.name)) out.push(new vscode.Location(doc.uri, toRange(doc, ref.range)));
    return out;
  }

  async prepareRename(doc: vscode.TextDocument, position: vscode.Position): Promise<{ range: vscode.Range; placeholder: string }> {
    const model = await this.current(doc);
    if (!model) throw new Error('The task file is still being read; try again in a moment.');
    const site = stateSiteAt(model, doc.offsetAt(position));
    if (!site) throw new Error("Only state names can be renamed here: put the cursor on a state's key or on a 'start', 'to' or 'next' value.");
    if (!findState(model, site.name)) throw new Error(`There is no state '${site.name}' to rename: this reference points nowhere (fix it, or add the state).`);
    return { range: nameRange(doc, doc.getText(), site.range), placeholder: site.name };
  }

  async provideRenameEdits(doc: vscode.TextDocument, position: vscode.Position, newName: string): Promise<vscode.WorkspaceEdit> {
    const model = await this.current(doc);
    if (!model) throw new Error('The task file changed while renaming; try again.');
    const site = stateSiteAt(model, doc.offsetAt(position));
    if (!site || !findState(model, site.name)) throw new Error('Put the cursor on a state name to rename it.');
    const problem = invalidStateName(model, site.name, newName.trim());
    if (problem) throw new Error(problem);
    const text = doc.getText();
    const edit = new vscode.WorkspaceEdit();
    for (const s of stateSites(model)) {
      if (s.name === site.name) edit.replace(doc.uri, nameRange(doc, text, s.range), newName.trim());
    }
    return edit;
  }

  async provideDocumentSymbols(doc: vscode.TextDocument): Promise<vscode.DocumentSymbol[]> {
    const model = await this.current(doc);
    if (!model) return [];
    // The outline, breadcrumbs and sticky scroll all ask for symbols: for a huge task, states
    // alone keep that cheap (the children would triple the objects built on the host's thread).
    const children = model.states.length <= MAX_STATES_WITH_CHILDREN;
    return model.states.map((s) => this.stateSymbol(doc, s, s.name === model.start, children));
  }

  private stateSymbol(doc: vscode.TextDocument, s: StateModel, isStart: boolean, withChildren: boolean): vscode.DocumentSymbol {
    const selection = toRange(doc, s.keyRange);
    const whole = selection.union(toRange(doc, s.range));
    const detail = [isStart ? 'start' : '', s.final ? `final (${s.status ?? 'succeeded'})` : '', s.description ?? ''].filter(Boolean).join(' · ');
    const symbol = new vscode.DocumentSymbol(s.name, detail, s.final ? vscode.SymbolKind.Constant : vscode.SymbolKind.Class, whole, selection);
    const child = (name: string, detail: string, kind: vscode.SymbolKind, r: ModelRange) => {
      const range = toRange(doc, r);
      // A child's range must lie inside its parent's.
      return new vscode.DocumentSymbol(name || '(empty)', detail, kind, whole.intersection(range) ?? selection, whole.intersection(range) ?? selection);
    };
    if (!withChildren) return symbol;
    for (const ins of s.do) symbol.children.push(child(ins.kind, describeInstruction(ins).replace(/`/g, ''), vscode.SymbolKind.Function, ins.range));
    for (const t of s.on) symbol.children.push(child(`→ ${t.to ?? '?'}`, describeTransition(t).replace(/`/g, ''), vscode.SymbolKind.Event, t.range));
    for (const c of s.catch) symbol.children.push(child(`catch → ${c.to ?? '?'}`, c.error ?? 'any', vscode.SymbolKind.Event, c.range));
    return symbol;
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const model = await this.current(doc);
    const start = model?.fields.start;
    if (!start) return [];
    const range = toRange(doc, start.key);
    return [
      new vscode.CodeLens(range, { title: vscode.l10n.t('$(play) Run'), command: 'stepwise.runTask', arguments: [doc.uri], tooltip: vscode.l10n.t('Run this task') }),
      new vscode.CodeLens(range, { title: vscode.l10n.t('$(debug-alt) Debug'), command: 'stepwise.debugTask', arguments: [doc.uri], tooltip: vscode.l10n.t('Debug this task') }),
    ];
  }
}

export function registerLanguageFeatures(models: TaskModels, pluginsFor: (file: string) => Promise<LoadedPlugins>): vscode.Disposable[] {
  const lang = new TaskLanguage(models, pluginsFor);
  const l = vscode.languages;
  return [
    l.registerCompletionItemProvider(TASK_SELECTOR, lang, ' '),
    l.registerHoverProvider(TASK_SELECTOR, lang),
    l.registerDefinitionProvider(TASK_SELECTOR, lang),
    l.registerReferenceProvider(TASK_SELECTOR, lang),
    l.registerRenameProvider(TASK_SELECTOR, lang),
    l.registerDocumentSymbolProvider(TASK_SELECTOR, lang, { label: 'Stepwise states' }),
    l.registerCodeLensProvider(TASK_SELECTOR, lang),
  ];
}

