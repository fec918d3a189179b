// The ONLY module both the VS Code client and the language server import: custom method
// names, their parameters and results, and the settings shape. Keep it free of imports.

/** Command (workspace/executeCommand) that scans every workspace folder and publishes diagnostics for all files. */
export const SCAN_WORKSPACE_COMMAND = 'airlock.scanWorkspace';

/** Command (workspace/executeCommand, argument: a file path) that scans one model file, anywhere on disk, and publishes its findings. */
export const SCAN_MODEL_FILE_COMMAND = 'airlock.server.scanModelFile';

export interface ScanModelFileResult {
  path: string;
  format: string;
  findings: number;
  skipped?: string;
}

/** Command the "Show documentation" code action runs on the client with a ShowDocumentationArgs argument. */
export const SHOW_DOCUMENTATION_COMMAND = 'airlock.showDocumentation';

/** Request (client → server): the Markdown documentation of one rule. */
export const RULE_DOC_REQUEST = 'airlock/ruleDoc';

/** Request (client → server, no parameters): scans every workspace folder and returns the report as SARIF and as one HTML page. */
export const EXPORT_REPORT_REQUEST = 'airlock/exportReport';

export interface ExportReportResult {
  /** SARIF 2.1.0, paths relative to the workspace folder. */
  sarif: string;
  /** A self-contained HTML page (no external requests). */
  html: string;
  findings: number;
  filesScanned: number;
  skipped: number;
  cancelled: boolean;
}

/** Request (client → server, no parameters): the workspace's AI bill of materials as CycloneDX 1.6 JSON. */
export const GENERATE_BOM_REQUEST = 'airlock/generateBom';

export interface GenerateBomResult {
  json: string;
  components: number;
  services: number;
  findings: number;
  cancelled: boolean;
}

/**
 * Request (client → server, no parameters): the first safe fix of every finding shown, in every
 * file, as one LSP WorkspaceEdit whose edits all carry a change annotation with
 * `needsConfirmation`, so the editor shows a preview before anything changes.
 */
export const WORKSPACE_SAFE_FIXES_REQUEST = 'airlock/workspaceSafeFixes';

export interface WorkspaceSafeFixesResult {
  /** An LSP WorkspaceEdit (documentChanges + changeAnnotations); loosely typed to keep this module import-free. */
  edit: { documentChanges: unknown[]; changeAnnotations: Record<string, unknown> };
  fixes: number;
  files: number;
  /** Files whose text changed since their findings were computed; their fixes are left out. */
  stale: string[];
}

/** `initializationOptions` the client sends. */
export interface InitializationOptions {
  /** False in an untrusted workspace: the project's config files and .gitignore are then not read. */
  trusted: boolean;
}

/** Notification (client → server, no parameters): the user trusted the workspace. */
export const WORKSPACE_TRUSTED_NOTIFICATION = 'airlock/workspaceTrusted';

/** Notification (server → client): what the server is doing and how many findings are shown. */
export const STATUS_NOTIFICATION = 'airlock/status';

export interface ShowDocumentationArgs {
  ruleId: string;
}

export interface RuleDocParams {
  ruleId: string;
}

export interface RuleDocResult {
  ruleId: string;
  markdown: string;
  url: string;
}

export interface ScanWorkspaceResult {
  filesScanned: number;
  filesWithFindings: number;
  findings: number;
  skipped: { path: string; reason: string }[];
  configErrors: string[];
  cancelled: boolean;
  durationMs: number;
}

export interface StatusParams {
  state: 'starting' | 'ready' | 'analyzing' | 'scanning' | 'error';
  /** Findings currently published, over all files. */
  findings: number;
  /** Errors/warnings/info split of `findings`. */
  counts: { error: number; warning: number; info: number };
  message?: string;
  /** Where the classifier runs, or why it does not ("CPU", "CUDA", "disabled", "unavailable: …"). */
  classifier?: string;
}

export type RuleSettingValue = 'off' | 'on' | 'error' | 'warning' | 'info';

/** The `airlock.*` settings, read per resource with workspace/configuration (section "airlock"). */
export interface AirlockSettings {
  enable: boolean;
  /** Rule id or group → setting; a project config file overrides these. */
  rules: Record<string, RuleSettingValue>;
  preview: boolean;
  exclude: string[];
  maxFileSize: number;
  /** Milliseconds one file's analysis may take; the rules left when it runs out are reported as not run. */
  timeBudgetMs: number;
  /** Delay between the last edit and re-analysis. */
  debounceMs: number;
  classifier: {
    enabled: boolean;
    /** Where the injection classifier runs; `auto` probes CUDA once and falls back to CPU. */
    device: 'auto' | 'cpu' | 'cuda' | 'webgpu';
    /** Minimum score for injection-prone-prompt findings; 0 means the model's own threshold. */
    threshold: number;
  };
}

export const DEFAULT_SETTINGS: AirlockSettings = {
  enable: true,
  rules: {},
  preview: false,
  exclude: [],
  maxFileSize: 2_000_000,
  timeBudgetMs: 2_000,
  debounceMs: 30,
  classifier: { enabled: true, device: 'auto', threshold: 0 },
};
