// Taint vocabulary shared by the analysis, the language adapters, the SDK tables and the rules.
import type { Node } from 'web-tree-sitter';

/**
 * What makes a value dangerous where it ends up:
 * - untrusted: from outside the program (HTTP requests, user input, the command line, web
 *   fetches, retrieved documents, tool-call arguments);
 * - llm-output: produced by a language model (steerable by whoever controls its input);
 * - secret: credentials (API keys from the environment, key-shaped literals, database URLs).
 */
export type TaintLabel = 'untrusted' | 'llm-output' | 'secret';

/**
 * Things that end taint for some sinks only: schema validation ends it for every sink, HTML
 * escaping only for HTML, `json.dumps` only for prompt delimiting, and so on.
 */
export type SanitizerKind = 'schema' | 'number' | 'html' | 'shell' | 'sql' | 'url' | 'path' | 'delimit';

export interface TaintStep {
  node: Node;
  message: string;
}

/** A tainted value and how it got here: the source first, the queried expression last. */
export interface TaintPath {
  label: TaintLabel;
  /** What the source is, for messages: "an HTTP request (`flask.request.form`)". */
  source: string;
  steps: TaintStep[];
}

export interface TaintQuery {
  labels: readonly TaintLabel[];
  /** Sanitizer kinds that clean a value for this sink (schema validation always does). */
  sanitizers?: readonly SanitizerKind[];
  /**
   * Ignore tool-handler parameters as sources: the output-handling rules leave those paths to
   * agent-tool-runs-shell, which reports them once, as a tool problem.
   */
  skipToolArguments?: boolean;
}

export interface SourceMatch {
  label: TaintLabel;
  description: string;
  /** A parameter of a tool handler (the model chooses its value). */
  toolArgument?: boolean;
}
