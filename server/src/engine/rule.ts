// The rule framework. A rule is one unit: metadata (data, checked by tests against behaviour),
// a tree-sitter query in a .scm file beside it, a `check` that turns one query match into a
// small typed state (or nothing), a `message` that words the state, and `fixes` that return
// edits as data. Detection, wording and fixing stay separate so each can be tested alone.
import type { Node, Tree } from 'web-tree-sitter';
import type { JavaScriptFacts } from './facts/javascript';
import type { PythonFacts } from './facts/python';
import type { TaintAnalysis } from './taint/analysis';
import type { LineIndex } from './text/lines';
import type { Confidence, FileKind, Fix, FixKind, LanguageId, OwaspLlmId, RelatedLocation, RuleStatus, Severity, TextRange } from './types';

export interface RuleMeta {
  /** Kebab-case, names the hazard (not the fix). */
  id: string;
  /** The folder the rule lives in. */
  group: string;
  /** One line, sentence case, no trailing period. */
  title: string;
  severity: Severity;
  status: RuleStatus;
  /** The most a rule's fixes are: 'safe' if it ever returns a safe fix, 'unsafe' if only unsafe ones. */
  fix: FixKind;
  cwe: number[];
  owasp: OwaspLlmId[];
  confidence: Confidence;
  references: string[];
  /** Rules that are off unless configured on (noisy or policy-specific rules). */
  defaultEnabled?: boolean;
  /** The underlined text is a secret: renderers must not print it (code frames, SARIF snippets). */
  redact?: boolean;
}

/** What rules may ask about the file under analysis. Facts are computed lazily and once. */
export interface RuleContext {
  readonly path: string;
  readonly text: string;
  readonly language: LanguageId;
  /** What the file is for (code, MCP config, agent rules file, prompt…). */
  readonly kinds: ReadonlySet<FileKind>;
  /** The syntax tree; only languages with a grammar have one (whole-file rules must not assume it). */
  readonly tree: Tree;
  readonly lines: LineIndex;
  readonly python: PythonFacts;
  readonly javascript: JavaScriptFacts;
  /** Dataflow for this file's language (Python or JS/TS). */
  readonly taint: TaintAnalysis;
}

/** One query match, with captures by name (the first node for each name). */
export interface RuleMatch {
  captures: Record<string, Node>;
}

interface DetectionBase {
  range?: TextRange;
  severity?: Severity;
  confidence?: Confidence;
  related?: RelatedLocation[];
  /** The dataflow path (source first, sink last) that makes this a finding. */
  flow?: RelatedLocation[];
  /**
   * Classifier rules: the text to score; `base` is the file offset of `text[0]`. The detection
   * becomes a finding only when the score reaches the threshold, with `score` and `window` set.
   */
  classify?: { text: string; base: number };
  score?: number;
  /** File offsets of the highest-scoring window of `classify.text`. */
  window?: TextRange;
}

/** What a query check found. `range`, else `node`, is what gets underlined. */
export interface Detection extends DetectionBase {
  node: Node;
}

/** What a whole-file check found, by offsets (files without a syntax tree have no nodes). */
export interface TextDetection extends DetectionBase {
  range: TextRange;
}

export interface RuleDefinition<S extends Detection | TextDetection = Detection> {
  meta: RuleMeta;
  /**
   * The languages whose syntax trees the rule's query runs on. Empty for rules whose findings
   * come from another analyzer (the model-file scanner): they carry metadata and docs only.
   */
  languages: readonly LanguageId[];
  /** Only files of these kinds (e.g. MCP configs among JSON files); all files of the languages when absent. */
  fileKinds?: readonly FileKind[];
  /**
   * A pre-filter for the rule's query, like Semgrep's: `check` can only fire in files whose text
   * matches (the module and API names its checks resolve to). Files that fail it leave the
   * rule's patterns out of the query they run. Write it from the rule's own tables, loosely: a
   * pre-filter that is too strict hides findings, one that is too loose only costs time. A list
   * passes when any of its expressions does; each expression is tested once per file, however many
   * rules share it. Absent: every file runs the query. `checkFile` is not gated.
   */
  requires?: RegExp | readonly RegExp[];
  /** Query rules: one match of the rule's .scm query → detections. */
  check?(match: RuleMatch, ctx: RuleContext): S | S[] | undefined;
  /** Whole-file rules (text formats, hidden characters): the file → detections. */
  checkFile?(ctx: RuleContext): S | S[] | undefined;
  message?(state: S, ctx: RuleContext): string;
  fixes?(state: S, ctx: RuleContext): Fix[];
}

/** Erases the state type so rules with different states share one registry. */
export type AnyRule = RuleDefinition<any>;

export function defineRule<S extends Detection | TextDetection>(rule: RuleDefinition<S>): RuleDefinition<S> {
  return rule;
}

/** Convenience for fixes: replace a node's text. */
export function replaceNode(node: Node, newText: string) {
  return { start: node.startIndex, end: node.endIndex, newText };
}
