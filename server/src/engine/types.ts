// Core data types shared by the engine, the rules and every adapter (LSP, CLI, renderers).
// Positions are UTF-16 code-unit offsets into the document text: the unit both
// web-tree-sitter and LSP use, so no conversion happens until a renderer needs lines.

/** Languages with a tree-sitter grammar: rules can query their syntax trees. */
export type GrammarLanguageId = 'python' | 'javascript' | 'typescript' | 'tsx' | 'json' | 'yaml';
/** Every language Airlock reads; the ones without a grammar get whole-file (text) rules only. */
export type LanguageId = GrammarLanguageId | 'toml' | 'markdown' | 'text';

/**
 * What a file is for, beyond its syntax: an MCP client config, an agent permission file, an
 * agent instruction (rules) file, a prompt template, a dotenv file, a notebook, other config.
 */
export type FileKind = 'code' | 'mcp' | 'perm' | 'rules' | 'prompt' | 'env' | 'notebook' | 'config' | 'docs';

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error'];

export type Confidence = 'high' | 'medium' | 'low';
export type FixKind = 'none' | 'safe' | 'unsafe';
export type RuleStatus = 'stable' | 'preview';

/** OWASP Top 10 for LLM Applications 2025. */
export type OwaspLlmId = 'LLM01' | 'LLM02' | 'LLM03' | 'LLM04' | 'LLM05' | 'LLM06' | 'LLM07' | 'LLM08' | 'LLM09' | 'LLM10';

export interface TextRange {
  start: number;
  end: number;
}

export interface TextEdit extends TextRange {
  newText: string;
}

/** A fix is data: adapters turn it into a WorkspaceEdit or apply it to text. */
export interface Fix {
  title: string;
  /** Safe fixes keep behaviour for correct programs and may be auto-applied; unsafe ones are offered only. */
  applicability: 'safe' | 'unsafe';
  edits: TextEdit[];
}

export interface RelatedLocation {
  path: string;
  range: TextRange;
  message: string;
}

export interface Finding {
  ruleId: string;
  group: string;
  severity: Severity;
  confidence: Confidence;
  message: string;
  /** The path as the caller named the document (a file path for the CLI, a URI for the LSP). */
  path: string;
  range: TextRange;
  fixes: Fix[];
  related: RelatedLocation[];
  /** For dataflow findings: the steps from the source to the sink, in order. */
  flow: RelatedLocation[];
  /** For findings in binary files (model files): where in the bytes, since there are no lines. */
  binary?: BinaryLocation;
  /** The range holds a secret: show it masked, never whole. */
  redact?: boolean;
}

export interface BinaryLocation {
  /** Byte offset into the file, or into `member` when set. */
  offset: number;
  length?: number;
  /** Archive member (nested ones joined with `!/`). */
  member?: string;
  opcode?: string;
  /** The import found (`os.system`), and the callable it is invoked with, if any. */
  global?: string;
  callable?: string;
}

/** A file the engine could not analyze, and why: nothing is skipped silently. */
export interface Skipped {
  path: string;
  reason: string;
}
