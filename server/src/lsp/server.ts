// The language server: a thin adapter from LSP to the engine. One handler per LSP method;
// everything that decides anything lives in the engine.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  FileChangeType,
  TextDocumentSyncKind,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type CancellationToken,
  type TextEdit,
  type WorkspaceFolder,
} from 'vscode-languageserver';
import { CONFIG_FILES, defaultConfig, findConfig, mergeConfig, type AirlockConfig } from '../engine/config/config';
import { DEFAULT_TIME_BUDGET_MS } from '../engine/budget';
import { hasGrammar } from '../engine/files';
import type { Engine } from '../engine/engine';
import { docsUrl } from '../engine/render/report';
import { isModelFile, scanModel } from '../engine/modelscan';
import { scan } from '../engine/scan';
import { completeClassification } from '../engine/classify';
import { Classifier } from '../classifier/index';
import { suppressionComment } from '../engine/suppress';
import type { Finding } from '../engine/types';
import { RULE_DOCS } from '../rules/docs.generated';
import {
  DEFAULT_SETTINGS,
  RULE_DOC_REQUEST,
  SCAN_MODEL_FILE_COMMAND,
  SCAN_WORKSPACE_COMMAND,
  SHOW_DOCUMENTATION_COMMAND,
  STATUS_NOTIFICATION,
  type AirlockSettings,
  type RuleDocParams,
  type RuleDocResult,
  type ScanModelFileResult,
  type ScanWorkspaceResult,
  type StatusParams,
} from '../protocol';
import { toDiagnostic, type DiagnosticData } from './convert';
import { DocumentStore, type OpenDocument } from './documents';
import { VERSION } from '../version';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.airlock`;

function uriToPath(uri: string): string | undefined {
  return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
}

function pathToUri(path: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path) ? path : pathToFileURL(path).href;
}

export class AirlockServer {
  private readonly documents: DocumentStore;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Findings last published per URI (open documents and scan results), for fix-all and the status count. */
  private readonly published = new Map<string, Finding[]>();
  private readonly settingsCache = new Map<string, Promise<AirlockSettings>>();
  /** URIs whose diagnostics came from the last workspace scan (cleared when a rescan finds nothing there). */
  private scanUris = new Set<string>();
  private workspaceFolders: WorkspaceFolder[] = [];
  private supportsConfiguration = false;
  private supportsProgress = false;
  private state: StatusParams['state'] = 'starting';
  /** Created on first use with the window's classifier settings; recreated when they change. */
  private classifier?: { key: string; instance: Classifier };
  /** Each open document's configured time budget, for parsing it as it is edited. */
  private readonly timeBudgets = new Map<string, number>();
  /** Log lines already written (config errors, rule crashes): once each, not once per keystroke. */
  private readonly logged = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly engine: Engine,
  ) {
    this.documents = new DocumentStore(engine, (uri) => this.timeBudgets.get(uri) ?? DEFAULT_TIME_BUDGET_MS);
    this.register();
  }

  private register(): void {
    const c = this.connection;
    c.onInitialize((params) => this.initialize(params));
    c.onInitialized(() => {
      if (this.supportsConfiguration) c.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
      this.setState('ready');
    });
    c.onDidOpenTextDocument(({ textDocument: d }) => {
      this.guard('didOpen', () => {
        this.documents.open(d.uri, d.languageId, d.version, d.text);
        this.schedule(d.uri, 0);
      });
    });
    c.onDidChangeTextDocument(({ textDocument: d, contentChanges }) => {
      this.guard('didChange', () => {
        if (this.documents.change(d.uri, d.version, contentChanges)) this.schedule(d.uri);
      });
    });
    c.onDidCloseTextDocument(({ textDocument: d }) => {
      clearTimeout(this.timers.get(d.uri));
      this.timers.delete(d.uri);
      this.documents.close(d.uri);
      this.settingsCache.delete(d.uri);
      this.timeBudgets.delete(d.uri);
      for (const line of this.logged) if (line.startsWith(`${d.uri}\n`)) this.logged.delete(line);
      // A closed file's diagnostics belong to the last workspace scan, not to the editor.
      this.publish(d.uri, [], undefined);
    });
    c.onDidChangeConfiguration(() => {
      this.settingsCache.clear();
      for (const doc of this.documents.all()) this.schedule(doc.document.uri, 0);
    });
    c.onDidChangeWatchedFiles(({ changes }) => {
      for (const change of changes) {
        const path = uriToPath(change.uri);
        if (!path) continue;
        // Deleted files (or folders) lose the findings a scan gave them; open documents keep their live ones.
        if (change.type === FileChangeType.Deleted) this.forgetDeleted(change.uri);
        // Model files created or changed in the workspace are scanned at once.
        else if (!this.engine.classify(path)) this.guard('model file scan', () => void this.scanModelFile(path));
      }
      // A config file may have changed: re-read configuration (and report its errors again) for every open document.
      if (changes.some((ch) => CONFIG_FILES.some((name) => ch.uri.endsWith(`/${name}`)))) {
        this.logged.clear();
        for (const doc of this.documents.all()) this.schedule(doc.document.uri, 0);
      }
    });
    c.onCodeAction((params) => this.codeActions(params));
    c.onExecuteCommand(async (params, token) => {
      if (params.command === SCAN_WORKSPACE_COMMAND) return this.scanWorkspace(token);
      if (params.command === SCAN_MODEL_FILE_COMMAND && typeof params.arguments?.[0] === 'string') return this.scanModelFile(params.arguments[0], true);
      return undefined;
    });
    c.onRequest(RULE_DOC_REQUEST, (params: RuleDocParams): RuleDocResult | null => {
      const rule = this.engine.rules.find((r) => r.meta.id === params.ruleId);
      return rule ? { ruleId: rule.meta.id, markdown: RULE_DOCS[rule.meta.id] ?? rule.meta.title, url: docsUrl(rule.meta) } : null;
    });
    c.onShutdown(async () => {
      await this.classifier?.instance.dispose();
      for (const t of this.timers.values()) clearTimeout(t);
      this.documents.dispose();
    });
  }

  private initialize(params: InitializeParams): InitializeResult {
    this.supportsConfiguration = params.capabilities.workspace?.configuration === true;
    this.supportsProgress = params.capabilities.window?.workDoneProgress === true;
    this.workspaceFolders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        executeCommandProvider: { commands: [SCAN_WORKSPACE_COMMAND, SCAN_MODEL_FILE_COMMAND] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'airlock', version: VERSION },
    };
  }

  /** Clears the scan findings of a deleted file, or of every file under a deleted folder, unless open. */
  private forgetDeleted(uri: string): void {
    const folder = uri.endsWith('/') ? uri : `${uri}/`;
    for (const known of [...this.published.keys()]) {
      if ((known === uri || known.startsWith(folder)) && !this.documents.get(known)) {
        this.scanUris.delete(known);
        this.publish(known, [], undefined);
      }
    }
  }

  /** Writes a line to the output channel once; `key` starts with the document's URI when it is about one. */
  private logOnce(key: string, write: () => void): void {
    if (this.logged.has(key)) return;
    this.logged.add(key);
    write();
  }

  /** Runs a handler; a failure is logged to the output channel and never kills the server. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.connection.console.error(`${what} failed: ${(err as Error)?.stack ?? String(err)}`);
    }
  }

  private async settingsFor(uri: string): Promise<AirlockSettings> {
    if (!this.supportsConfiguration) return DEFAULT_SETTINGS;
    let cached = this.settingsCache.get(uri);
    if (!cached) {
      cached = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'airlock' })
        .then((s: Partial<AirlockSettings> | null) => ({ ...DEFAULT_SETTINGS, ...(s ?? {}), classifier: { ...DEFAULT_SETTINGS.classifier, ...(s?.classifier ?? {}) } }))
        .catch(() => DEFAULT_SETTINGS);
      this.settingsCache.set(uri, cached);
    }
    return cached;
  }

  private folderOf(path: string): string | undefined {
    const folders = this.workspaceFolders.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
    return folders.filter((f) => path === f || path.startsWith(f.endsWith('/') ? f : f + '/')).sort((a, b) => b.length - a.length)[0];
  }

  /** Editor settings for the resource, overlaid with the project's config file (which wins). */
  private configFor(uri: string, settings: AirlockSettings): AirlockConfig {
    const base = mergeConfig(defaultConfig(), {
      rules: settings.rules,
      exclude: settings.exclude,
      preview: settings.preview,
      maxFileSize: settings.maxFileSize,
      timeBudgetMs: settings.timeBudgetMs,
      classifierThreshold: settings.classifier.threshold > 0 ? settings.classifier.threshold : undefined,
    });
    const path = uriToPath(uri);
    if (!path) return base;
    const loaded = findConfig(dirname(path), this.folderOf(path), this.engine.rules.map((r) => r.meta));
    for (const e of loaded.errors) {
      const line = `config ${e.file}${e.line ? `:${e.line}` : ''}${e.key ? ` [${e.key}]` : ''}: ${e.message} (using defaults for it)`;
      this.logOnce(line, () => this.connection.console.warn(line));
    }
    return mergeConfig(base, loaded.overrides);
  }

  private schedule(uri: string, delay?: number): void {
    clearTimeout(this.timers.get(uri));
    const run = async () => {
      this.timers.delete(uri);
      await this.validate(uri);
    };
    if (delay === 0) {
      void run();
      return;
    }
    void this.settingsFor(uri).then((s) => {
      clearTimeout(this.timers.get(uri));
      this.timers.set(uri, setTimeout(() => void run(), delay ?? s.debounceMs));
    });
  }

  private async validate(uri: string): Promise<void> {
    const doc = this.documents.get(uri);
    if (!doc) return;
    const settings = await this.settingsFor(uri);
    const current = this.documents.get(uri);
    if (current !== doc || !doc.file) return;
    if (!settings.enable) {
      this.publish(uri, [], doc);
      return;
    }
    try {
      const config = this.configFor(uri, settings);
      const text = doc.document.getText();
      if (text.length > config.maxFileSize) {
        this.connection.console.info(`skipped ${uri}: ${text.length} characters exceed max-file-size ${config.maxFileSize}`);
        this.publish(uri, [], doc);
        return;
      }
      // A parse that ran out of time under an older budget gets another chance under the new one.
      if (this.timeBudgets.get(uri) !== config.timeBudgetMs) {
        this.timeBudgets.set(uri, config.timeBudgetMs);
        if (!doc.tree && hasGrammar(doc.file.language)) this.documents.invalidate(uri);
      }
      // Edits since the last analysis are parsed now, in one incremental parse.
      this.documents.parsed(uri);
      const version = doc.document.version;
      const analysis = this.engine.analyzeTree({ path: uri, text, language: doc.file.language, kinds: doc.file.kinds, tree: doc.tree }, config);
      const { findings, failures } = await completeClassification(analysis, analysis.pending ? this.classifierFor(settings) : undefined, config.classifierThreshold);
      for (const f of failures) {
        this.logOnce(`${uri}\n${f.ruleId}\n${f.error.split('\n')[0]}`, () => this.connection.console.error(`rule ${f.ruleId} failed on ${uri} and was skipped for this file: ${f.error}`));
      }
      if (this.documents.get(uri) === doc && doc.document.version === version) this.publish(uri, findings, doc);
    } catch (err) {
      this.connection.console.error(`analysis of ${uri} failed: ${(err as Error)?.stack ?? String(err)}`);
    }
  }

  /** The classifier for these settings, started lazily; its state is shown in the status and the log. */
  private classifierFor(settings: AirlockSettings): Classifier {
    const key = `${settings.classifier.enabled}:${settings.classifier.device}`;
    if (this.classifier?.key !== key) {
      void this.classifier?.instance.dispose();
      const instance = new Classifier({ enabled: settings.classifier.enabled, device: settings.classifier.device, log: (m) => this.connection.console.info(m) });
      this.classifier = { key, instance };
      void instance.start().then(() => this.sendStatus());
    }
    return this.classifier.instance;
  }

  private publish(uri: string, findings: Finding[], doc: OpenDocument | undefined, diagnostics?: Diagnostic[]): void {
    if (findings.length === 0) this.published.delete(uri);
    else this.published.set(uri, findings);
    const diags = diagnostics ?? (doc ? findings.map((f) => toDiagnostic(f, doc.document, pathToUri)) : []);
    void this.connection.sendDiagnostics({ uri, version: doc?.document.version, diagnostics: diags });
    this.sendStatus();
  }

  private setState(state: StatusParams['state']): void {
    this.state = state;
    this.sendStatus();
  }

  private sendStatus(): void {
    const counts = { error: 0, warning: 0, info: 0 };
    for (const list of this.published.values()) for (const f of list) counts[f.severity]++;
    const c = this.classifier?.instance.status;
    const classifier = !c ? undefined : c.state === 'ready' ? c.device?.toUpperCase() : c.state === 'unavailable' ? `unavailable: ${c.detail}` : c.state;
    const status: StatusParams = { state: this.state, findings: counts.error + counts.warning + counts.info, counts, classifier };
    void this.connection.sendNotification(STATUS_NOTIFICATION, status);
  }

  private codeActions(params: CodeActionParams): CodeAction[] {
    const uri = params.textDocument.uri;
    const doc = this.documents.get(uri);
    const only = params.context.only;
    const wantsFixAll = only?.some((k) => FIX_ALL_KIND.startsWith(k) || k === CodeActionKind.SourceFixAll || k === CodeActionKind.Source);
    const wantsQuickFix = !only || only.some((k) => k === CodeActionKind.QuickFix || k === 'quickfix' || k === '');
    const actions: CodeAction[] = [];

    if (wantsQuickFix && doc) {
      for (const diagnostic of params.context.diagnostics) {
        if (diagnostic.source !== 'airlock') continue;
        const data = diagnostic.data as DiagnosticData | undefined;
        const ruleId = data?.ruleId ?? String(diagnostic.code);
        for (const fix of data?.fixes ?? []) {
          actions.push({
            title: fix.applicability === 'safe' ? fix.title : `${fix.title} (unsafe: review the change)`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: fix.applicability === 'safe',
            edit: { changes: { [uri]: fix.edits } },
          });
        }
        const line = diagnostic.range.start.line;
        const lineText = doc.document.getText({ start: { line, character: 0 }, end: { line, character: Number.MAX_SAFE_INTEGER } });
        const indent = /^\s*/.exec(lineText)?.[0] ?? '';
        actions.push({
          title: `Ignore ${ruleId} on this line`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: { changes: { [uri]: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}${suppressionComment(ruleId, doc.file?.language)}\n` }] } },
        });
        actions.push({
          title: `Show documentation for ${ruleId}`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          command: { title: `Show documentation for ${ruleId}`, command: SHOW_DOCUMENTATION_COMMAND, arguments: [{ ruleId }] },
        });
      }
    }

    if (wantsFixAll && doc) {
      const edits = this.safeEditsFor(doc);
      if (edits.length > 0) actions.push({ title: 'Airlock: apply all safe fixes', kind: FIX_ALL_KIND, edit: { changes: { [uri]: edits } } });
    }
    return actions;
  }

  /** The first safe fix of every published finding, without overlaps (fix-all applies safe fixes only). */
  private safeEditsFor(doc: OpenDocument): TextEdit[] {
    const findings = this.published.get(doc.document.uri) ?? [];
    const chosen: { start: number; end: number; newText: string }[] = [];
    for (const f of findings) {
      const fix = f.fixes.find((x) => x.applicability === 'safe');
      if (!fix) continue;
      if (fix.edits.some((e) => chosen.some((c) => e.start < c.end && c.start < e.end))) continue;
      chosen.push(...fix.edits);
    }
    return chosen.map((e) => ({ range: { start: doc.document.positionAt(e.start), end: doc.document.positionAt(e.end) }, newText: e.newText }));
  }

  /** Scans one model file with the static readers and publishes its findings on the file's URI. */
  private async scanModelFile(path: string, explicit = false): Promise<ScanModelFileResult | undefined> {
    if (!explicit && !isModelFile(path)) return undefined;
    const uri = pathToFileURL(path).href;
    const settings = await this.settingsFor(uri);
    const config = this.configFor(uri, settings);
    const { report, findings } = scanModel(path, this.engine.rules.map((r) => r.meta), config);
    const snapshot = TextDocument.create(uri, '', 0, '');
    this.publish(uri, findings, undefined, findings.map((f) => toDiagnostic(f, snapshot, pathToUri)));
    if (report.skipped) this.connection.console.info(`model file ${path}: ${report.skipped}`);
    return { path, format: report.format, findings: findings.length, skipped: report.skipped };
  }

  private async scanWorkspace(token?: CancellationToken): Promise<ScanWorkspaceResult> {
    const started = performance.now();
    const result: ScanWorkspaceResult = { filesScanned: 0, filesWithFindings: 0, findings: 0, skipped: [], configErrors: [], cancelled: false, durationMs: 0 };
    const progress = this.supportsProgress ? await this.connection.window.createWorkDoneProgress() : undefined;
    const abort = new AbortController();
    // Cancelled from the progress notification's button or by $/cancelRequest of the command itself.
    progress?.token.onCancellationRequested(() => abort.abort());
    token?.onCancellationRequested(() => abort.abort());
    progress?.begin('Airlock: scanning workspace', 0, undefined, true);
    this.setState('scanning');
    const folders = this.workspaceFolders.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
    const previous = this.scanUris;
    this.scanUris = new Set();
    try {
      for (const folder of folders) {
        const settings = await this.settingsFor(pathToFileURL(folder).href);
        const base = mergeConfig(defaultConfig(), { rules: settings.rules, exclude: settings.exclude, preview: settings.preview, maxFileSize: settings.maxFileSize, timeBudgetMs: settings.timeBudgetMs });
        let total = 0;
        for await (const event of scan(this.engine, [folder], { baseConfig: base, signal: abort.signal, scorer: this.classifierFor(settings) })) {
          if (event.kind === 'start') total = event.total;
          else if (event.kind === 'config-error') result.configErrors.push(`${event.error.file}${event.error.line ? `:${event.error.line}` : ''}: ${event.error.message}`);
          else {
            result.filesScanned++;
            if (event.kind === 'skipped') result.skipped.push(event.skipped);
            else {
              const uri = pathToFileURL(event.path).href;
              // Open documents show live analysis of the editor's text, which may be newer than disk.
              if (!this.documents.get(uri)) {
                const snapshot = TextDocument.create(uri, '', 0, event.text);
                const diagnostics = event.findings.map((f) => toDiagnostic(f, snapshot, pathToUri));
                if (diagnostics.length > 0 || previous.has(uri)) this.publish(uri, event.findings, undefined, diagnostics);
                if (diagnostics.length > 0) this.scanUris.add(uri);
              }
              for (const f of event.failures) this.connection.console.error(`rule ${f.ruleId} failed on ${event.path}: ${f.error}`);
              if (event.findings.length > 0) result.filesWithFindings++;
              result.findings += event.findings.length;
            }
            if (result.filesScanned % 10 === 0 || result.filesScanned === total) {
              progress?.report(Math.round((result.filesScanned / Math.max(total, 1)) * 100), `${result.filesScanned}/${total} files`);
            }
          }
        }
      }
      result.cancelled = abort.signal.aborted;
      if (!result.cancelled) for (const uri of previous) if (!this.scanUris.has(uri) && !this.documents.get(uri)) this.publish(uri, [], undefined);
    } finally {
      progress?.done();
      this.setState('ready');
    }
    for (const s of result.skipped) this.connection.console.info(`skipped ${s.path}: ${s.reason}`);
    for (const e of result.configErrors) this.connection.console.warn(`config error ${e}`);
    result.durationMs = Math.round(performance.now() - started);
    return result;
  }
}
