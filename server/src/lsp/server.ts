// The language server: a thin adapter from LSP to the engine. One handler per LSP method;
// everything that decides anything lives in the engine.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { basename, dirname, relative, sep } from 'node:path';
import { readFileSync } from 'node:fs';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CancellationToken,
  CodeActionKind,
  DidChangeConfigurationNotification,
  FileChangeType,
  TextDocumentSyncKind,
  type AnnotatedTextEdit,
  type ChangeAnnotation,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type TextDocumentEdit,
  type TextEdit,
  type WorkspaceFolder,
} from 'vscode-languageserver';
import { CONFIG_FILES, defaultConfig, findConfig, mergeConfig, type AirlockConfig } from '../engine/config/config';
import { DEFAULT_TIME_BUDGET_MS } from '../engine/budget';
import { hasGrammar } from '../engine/files';
import type { Engine } from '../engine/engine';
import { docsUrl } from '../engine/render/report';
import { isModelFile, scanModel } from '../engine/modelscan';
import { generateBom } from '../engine/bom/index';
import { renderHtml } from '../engine/render/html';
import type { Report } from '../engine/render/report';
import { renderSarif } from '../engine/render/sarif';
import { decodeText, scan, scanFile, scanToReport } from '../engine/scan';
import { completeClassification } from '../engine/classify';
import { Classifier } from '../classifier/index';
import { suppressionComment } from '../engine/suppress';
import type { Finding, TextEdit as EngineTextEdit } from '../engine/types';
import { RULE_DOCS } from '../rules/docs.generated';
import {
  DEFAULT_SETTINGS,
  EXPORT_REPORT_REQUEST,
  GENERATE_BOM_REQUEST,
  RULE_DOC_REQUEST,
  SCAN_MODEL_FILE_COMMAND,
  SCAN_WORKSPACE_COMMAND,
  SHOW_DOCUMENTATION_COMMAND,
  STATUS_NOTIFICATION,
  WORKSPACE_SAFE_FIXES_REQUEST,
  WORKSPACE_TRUSTED_NOTIFICATION,
  type AirlockSettings,
  type ExportReportResult,
  type GenerateBomResult,
  type InitializationOptions,
  type RuleDocParams,
  type RuleDocResult,
  type ScanModelFileResult,
  type ScanWorkspaceResult,
  type StatusParams,
  type WorkspaceSafeFixesResult,
} from '../protocol';
import { toDiagnostic, type DiagnosticData } from './convert';
import { DocumentStore } from './documents';
import { VERSION } from '../version';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.airlock`;

function uriToPath(uri: string): string | undefined {
  return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
}

function pathToUri(path: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path) ? path : pathToFileURL(path).href;
}

/** Findings as published, with the text their offsets refer to. */
interface Published {
  findings: Finding[];
  text: TextDocument;
  /** The editor's document version for live analysis; undefined for workspace-scan results (text from disk). */
  version?: number;
}

/** The first safe fix of each finding, skipping fixes that overlap one already chosen (fix-all applies safe fixes only). */
function chooseSafeFixes(findings: Finding[]): { ruleId: string; title: string; edits: EngineTextEdit[] }[] {
  const chosen: { ruleId: string; title: string; edits: EngineTextEdit[] }[] = [];
  for (const f of findings) {
    const fix = f.fixes.find((x) => x.applicability === 'safe');
    if (!fix) continue;
    if (fix.edits.some((e) => chosen.some((c) => c.edits.some((d) => e.start < d.end && d.start < e.end)))) continue;
    chosen.push({ ruleId: f.ruleId, title: fix.title, edits: fix.edits });
  }
  return chosen;
}

export class AirlockServer {
  private readonly documents: DocumentStore;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Findings last published per URI (open documents and scan results), for fix-all and the status count. */
  private readonly published = new Map<string, Published>();
  private readonly settingsCache = new Map<string, Promise<AirlockSettings>>();
  /** URIs the last workspace scan found something in (open or not); closing one re-reads it from disk. */
  private scanUris = new Set<string>();
  private workspaceFolders: WorkspaceFolder[] = [];
  private supportsConfiguration = false;
  private supportsProgress = false;
  /** In an untrusted workspace the project's files do not steer analysis (see InitializationOptions). */
  private trusted = true;
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
      // A closed file's diagnostics belong to the last workspace scan, not to the editor: a file
      // that scan found something in is read again from disk (it may have been saved since).
      if (this.scanUris.has(d.uri)) void this.rescanFromDisk(d.uri);
      else this.publish(d.uri);
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
    c.onRequest(EXPORT_REPORT_REQUEST, (_params: unknown, token: CancellationToken) => this.exportReport(token));
    c.onRequest(GENERATE_BOM_REQUEST, (_params: unknown, token: CancellationToken) => this.generateBom(token));
    c.onRequest(WORKSPACE_SAFE_FIXES_REQUEST, () => this.workspaceSafeFixes());
    c.onNotification(WORKSPACE_TRUSTED_NOTIFICATION, () => {
      this.trusted = true;
      for (const doc of this.documents.all()) this.schedule(doc.document.uri, 0);
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
    this.trusted = (params.initializationOptions as Partial<InitializationOptions> | undefined)?.trusted !== false;
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
        this.publish(known);
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
    if (!path || !this.trusted) return base;
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
      this.publish(uri);
      return;
    }
    try {
      const config = this.configFor(uri, settings);
      const text = doc.document.getText();
      if (text.length > config.maxFileSize) {
        this.connection.console.info(`skipped ${uri}: ${text.length} characters exceed max-file-size ${config.maxFileSize}`);
        this.publish(uri);
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
      if (this.documents.get(uri) === doc && doc.document.version === version) this.publish(uri, { findings, text: TextDocument.create(uri, doc.document.languageId, version, text), version });
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

  /** Publishes the findings as diagnostics of `uri`; without any, clears them. */
  private publish(uri: string, source?: Published): void {
    if (!source || source.findings.length === 0) this.published.delete(uri);
    else this.published.set(uri, source);
    const diagnostics = source ? source.findings.map((f) => toDiagnostic(f, source.text, pathToUri)) : [];
    void this.connection.sendDiagnostics({ uri, version: source?.version, diagnostics });
    this.sendStatus();
  }

  private setState(state: StatusParams['state']): void {
    this.state = state;
    this.sendStatus();
  }

  private sendStatus(): void {
    const counts = { error: 0, warning: 0, info: 0 };
    for (const entry of this.published.values()) for (const f of entry.findings) counts[f.severity]++;
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

    // Only when the findings were computed on the text the editor has now: offsets are not remapped.
    const entry = this.published.get(uri);
    if (wantsFixAll && doc && entry?.version === doc.document.version) {
      const edits: TextEdit[] = chooseSafeFixes(entry.findings).flatMap((fix) => fix.edits.map((e) => toLspEdit(entry.text, e)));
      if (edits.length > 0) actions.push({ title: 'Airlock: apply all safe fixes', kind: FIX_ALL_KIND, edit: { changes: { [uri]: edits } } });
    }
    return actions;
  }

  /**
   * The safe fixes of every file with findings, as one edit to preview: open documents must still
   * be at the version analyzed, other files must still read as they did when scanned.
   */
  private workspaceSafeFixes(): WorkspaceSafeFixesResult {
    const documentChanges: TextDocumentEdit[] = [];
    const changeAnnotations: Record<string, ChangeAnnotation> = {};
    const stale: string[] = [];
    let fixes = 0;
    for (const [uri, entry] of this.published) {
      const chosen = chooseSafeFixes(entry.findings);
      if (chosen.length === 0) continue;
      const open = this.documents.get(uri);
      if (open ? open.document.version !== entry.version : !this.unchangedOnDisk(uri, entry.text.getText())) {
        stale.push(uri);
        continue;
      }
      const edits: AnnotatedTextEdit[] = [];
      for (const fix of chosen) {
        // One annotation per rule and fix title: the preview groups the changes by it.
        const annotationId = `${fix.ruleId}: ${fix.title}`;
        changeAnnotations[annotationId] ??= { label: fix.title, description: fix.ruleId, needsConfirmation: true };
        edits.push(...fix.edits.map((e) => ({ ...toLspEdit(entry.text, e), annotationId })));
      }
      fixes += chosen.length;
      documentChanges.push({ textDocument: { uri, version: open ? open.document.version : null }, edits });
    }
    return { edit: { documentChanges, changeAnnotations }, fixes, files: documentChanges.length, stale };
  }

  private unchangedOnDisk(uri: string, text: string): boolean {
    const path = uriToPath(uri);
    if (!path) return false;
    try {
      return decodeText(readFileSync(path)).text === text;
    } catch {
      return false;
    }
  }

  /** Scans one model file with the static readers and publishes its findings on the file's URI. */
  private async scanModelFile(path: string, explicit = false): Promise<ScanModelFileResult | undefined> {
    if (!explicit && !isModelFile(path)) return undefined;
    const uri = pathToFileURL(path).href;
    const settings = await this.settingsFor(uri);
    const config = this.configFor(uri, settings);
    const { report, findings } = scanModel(path, this.engine.rules.map((r) => r.meta), config);
    this.publish(uri, { findings, text: TextDocument.create(uri, '', 0, '') });
    if (report.skipped) this.connection.console.info(`model file ${path}: ${report.skipped}`);
    return { path, format: report.format, findings: findings.length, skipped: report.skipped };
  }

  private workspaceFolderPaths(): string[] {
    return this.workspaceFolders.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
  }

  /** Editor settings of a folder as the engine's base config (a project config file still wins per file). */
  private async folderConfig(folder: string): Promise<{ settings: AirlockSettings; base: AirlockConfig }> {
    const settings = await this.settingsFor(pathToFileURL(folder).href);
    return { settings, base: mergeConfig(defaultConfig(), { rules: settings.rules, exclude: settings.exclude, preview: settings.preview, maxFileSize: settings.maxFileSize, timeBudgetMs: settings.timeBudgetMs }) };
  }

  /** Paths as the report shows them: relative to their workspace folder (named first when there are several). */
  private displayPath(folders: string[]): (path: string) => string {
    return (path) => {
      const folder = folders.find((f) => path === f || path.startsWith(f.endsWith(sep) ? f : f + sep));
      if (!folder) return path;
      const rel = relative(folder, path).split(sep).join('/');
      return folders.length > 1 ? `${basename(folder)}/${rel}` : rel;
    };
  }

  /** A cancellation token as the abort signal scans take. */
  private static signalOf(token: CancellationToken): AbortSignal {
    const abort = new AbortController();
    if (token.isCancellationRequested) abort.abort();
    token.onCancellationRequested(() => abort.abort());
    return abort.signal;
  }

  /** Scans every workspace folder (each with its own settings) into one report, rendered as SARIF and HTML. */
  private async exportReport(token: CancellationToken): Promise<ExportReportResult> {
    const folders = this.workspaceFolderPaths();
    const signal = AirlockServer.signalOf(token);
    const displayPath = this.displayPath(folders);
    const report: Report = { tool: { name: 'airlock', version: VERSION }, rules: this.engine.rules.map((r) => r.meta), files: [], skipped: [], configErrors: [], failures: [], filesScanned: 0, durationMs: 0 };
    this.setState('scanning');
    try {
      for (const folder of folders) {
        const { settings, base } = await this.folderConfig(folder);
        const part = await scanToReport(this.engine, [folder], { tool: report.tool, displayPath, baseConfig: base, signal, scorer: this.classifierFor(settings) });
        report.files.push(...part.files);
        report.skipped.push(...part.skipped);
        report.configErrors.push(...part.configErrors);
        report.failures.push(...part.failures);
        report.filesScanned += part.filesScanned;
        report.durationMs += part.durationMs;
      }
    } finally {
      this.setState('ready');
    }
    const findings = report.files.reduce((n, f) => n + f.findings.length, 0);
    return { sarif: renderSarif(report), html: renderHtml(report), findings, filesScanned: report.filesScanned, skipped: report.skipped.length, cancelled: signal.aborted };
  }

  /** The AI bill of materials of all workspace folders (settings of the first folder). */
  private async generateBom(token: CancellationToken): Promise<GenerateBomResult> {
    const folders = this.workspaceFolderPaths();
    const signal = AirlockServer.signalOf(token);
    const { settings, base } = await this.folderConfig(folders[0] ?? process.cwd());
    this.setState('scanning');
    try {
      const { bom, report } = await generateBom(this.engine, folders, { tool: { name: 'airlock', version: VERSION }, displayPath: this.displayPath(folders), baseConfig: base, signal, scorer: this.classifierFor(settings) });
      for (const s of report.skipped) this.connection.console.info(`skipped ${s.path}: ${s.reason}`);
      const list = (key: string) => (Array.isArray(bom[key]) ? (bom[key] as unknown[]).length : 0);
      return { json: JSON.stringify(bom, null, 2) + '\n', components: list('components'), services: list('services'), findings: report.files.reduce((n, f) => n + f.findings.length, 0), cancelled: signal.aborted };
    } finally {
      this.setState('ready');
    }
  }

  /** Analyzes a closed file as the workspace scan does and publishes the result. */
  private async rescanFromDisk(uri: string): Promise<void> {
    const path = uriToPath(uri);
    const settings = await this.settingsFor(uri);
    let event: Awaited<ReturnType<typeof scanFile>> | undefined;
    try {
      if (path && settings.enable) event = await scanFile(this.engine, path, this.configFor(uri, settings), this.classifierFor(settings));
    } catch (err) {
      this.connection.console.error(`re-scan of ${uri} failed: ${(err as Error)?.stack ?? String(err)}`);
    }
    // Opened again meanwhile: live analysis owns its diagnostics.
    if (this.documents.get(uri)) return;
    if (event?.kind === 'file' && event.findings.length > 0) {
      this.publish(uri, { findings: event.findings, text: TextDocument.create(uri, '', 0, event.text) });
    } else {
      this.scanUris.delete(uri);
      this.publish(uri);
    }
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
    const folders = this.workspaceFolderPaths();
    const previous = this.scanUris;
    this.scanUris = new Set();
    try {
      for (const folder of folders) {
        const { settings, base } = await this.folderConfig(folder);
        let total = 0;
        const options = { baseConfig: base, signal: abort.signal, scorer: this.classifierFor(settings), projectConfig: this.trusted };
        for await (const event of scan(this.engine, [folder], options)) {
          if (event.kind === 'start') total = event.total;
          else if (event.kind === 'config-error') result.configErrors.push(`${event.error.file}${event.error.line ? `:${event.error.line}` : ''}: ${event.error.message}`);
          else {
            result.filesScanned++;
            if (event.kind === 'skipped') result.skipped.push(event.skipped);
            else {
              const uri = pathToFileURL(event.path).href;
              const found = event.findings.length > 0;
              if (found) this.scanUris.add(uri);
              // Open documents show live analysis of the editor's text, which may be newer than disk.
              if (!this.documents.get(uri) && (found || previous.has(uri))) this.publish(uri, { findings: event.findings, text: TextDocument.create(uri, '', 0, event.text) });
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
      if (!result.cancelled) for (const uri of previous) if (!this.scanUris.has(uri) && !this.documents.get(uri)) this.publish(uri);
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

function toLspEdit(text: TextDocument, edit: EngineTextEdit): TextEdit {
  return { range: { start: text.positionAt(edit.start), end: text.positionAt(edit.end) }, newText: edit.newText };
}
