// Runs every rule over one parsed file. Rule queries of a language are merged into ONE
// multi-pattern query, so each tree is walked once for all rules; each match is dispatched to
// the rule that owns the pattern. A rule that throws is disabled for that file and reported
// as an error; the other rules still report. A file that runs out of its time budget gets an
// analysis-time-budget finding naming the rules that did not finish.
import { Query, type Language, type Node, type Tree } from 'web-tree-sitter';
import { ruleSetting, type AirlockConfig } from './config/config';
import { JavaScriptFacts } from './facts/javascript';
import { PythonFacts } from './facts/python';
import { TaintAnalysis } from './taint/analysis';
import { JavaScriptTaintAdapter } from './taint/javascript';
import { PythonTaintAdapter } from './taint/python';
import type { AnyRule, Detection, RuleContext, RuleMatch, TextDetection } from './rule';
import { Suppressions } from './suppress';
import { LineIndex } from './text/lines';
import type { FileKind, Finding, GrammarLanguageId, LanguageId } from './types';
import { classifyFile, hasGrammar, isJavaScriptFamily } from './files';
import { TimeBudget } from './budget';
import analysisTimeBudget from '../rules/analysis/analysis-time-budget';

export class RuleQueryError extends Error {}

/** A merged query over some rules' patterns, and the rules each of its patterns dispatches to. */
interface MergedQuery {
  query: Query;
  /** patternOwners[i] are the rules that own merged pattern i (identical patterns are shared). */
  patternOwners: AnyRule[][];
}

/**
 * Every query rule's patterns for one language. The query a file runs is merged from the
 * patterns of the rules active for it (enabled, and whose `requires` pre-filter the text
 * passes), compiled on first use and cached: most files need far fewer rules than all of them,
 * and a smaller query matches fewer nodes and dispatches fewer checks.
 */
export class CompiledLanguage {
  /** The query rules of this language, in registry order; a rule's bit in a key is its index here. */
  readonly rules: readonly AnyRule[];
  private readonly merged = new Map<string, MergedQuery>();
  private static readonly CACHE_SIZE = 16;

  constructor(
    private readonly language: Language,
    private readonly patterns: readonly string[],
    private readonly owners: readonly AnyRule[][],
    all: Query,
  ) {
    this.rules = [...new Set(owners.flat())];
    this.merged.set(this.rules.map(() => '1').join(''), { query: all, patternOwners: owners.map((o) => [...o]) });
  }

  /** The merged query for exactly these rules (a subset of `rules`), or undefined when none is active. */
  queryFor(active: ReadonlySet<AnyRule>): MergedQuery | undefined {
    if (active.size === 0) return undefined;
    const key = this.rules.map((r) => (active.has(r) ? '1' : '0')).join('');
    let merged = this.merged.get(key);
    if (merged) {
      // Most recently used last, so eviction drops the least recently used.
      this.merged.delete(key);
      this.merged.set(key, merged);
      return merged;
    }
    const patterns: string[] = [];
    const patternOwners: AnyRule[][] = [];
    this.patterns.forEach((pattern, i) => {
      const owners = this.owners[i].filter((r) => active.has(r));
      if (owners.length === 0) return;
      patterns.push(pattern);
      patternOwners.push(owners);
    });
    merged = { query: new Query(this.language, patterns.join('\n')), patternOwners };
    this.merged.set(key, merged);
    if (this.merged.size > CompiledLanguage.CACHE_SIZE) {
      const [oldestKey, oldest] = this.merged.entries().next().value!;
      oldest.query.delete();
      this.merged.delete(oldestKey);
    }
    return merged;
  }
}

export interface RuleFailure {
  ruleId: string;
  path: string;
  error: string;
}

export interface FileAnalysis {
  findings: Finding[];
  /** Rules that crashed on this file (and were skipped for it). */
  failures: RuleFailure[];
  /** Texts that become findings only if the classifier scores them high enough (classify.ts). */
  pending?: PendingClassification[];
}

/** A detection waiting for the classifier: `complete` turns a score into a finding, or nothing. */
export interface PendingClassification {
  text: string;
  complete(score: number, window: { start: number; end: number }, threshold: number): Finding | undefined;
}

/**
 * Compiles, per language, one query holding every rule's patterns. Identical patterns (most
 * rules start from `(call function: (_) @callee) @call`) are compiled once and dispatched to
 * every rule that wrote them, so each node is matched once, not once per rule.
 */
export function compileRuleQueries(languages: Record<GrammarLanguageId, Language>, rules: readonly AnyRule[], queries: Record<string, string>): Map<LanguageId, CompiledLanguage> {
  const compiled = new Map<LanguageId, CompiledLanguage>();
  for (const language of Object.keys(languages) as GrammarLanguageId[]) {
    const patterns: string[] = [];
    const owners: AnyRule[][] = [];
    const indexByText = new Map<string, number>();
    const sources: [AnyRule, string][] = [];
    for (const rule of rules) {
      // Whole-file rules have no query; query rules list the grammars they are written for.
      if (!rule.languages.includes(language) || !rule.check) continue;
      const source = ruleQuery(queries, rule.meta.id, language);
      // A rule with a whole-file check may have queries for some of its languages only.
      if (source === undefined && rule.checkFile) continue;
      if (source === undefined) throw new RuleQueryError(`rule ${rule.meta.id} has no .scm query`);
      sources.push([rule, source]);
      for (const pattern of splitPatterns(source, rule.meta.id)) {
        const key = pattern.replace(/\s+/g, ' ').trim();
        let index = indexByText.get(key);
        if (index === undefined) {
          index = patterns.push(pattern) - 1;
          indexByText.set(key, index);
          owners.push([]);
        }
        if (!owners[index].includes(rule)) owners[index].push(rule);
      }
    }
    if (patterns.length === 0) continue;
    // Compiling every pattern once validates them all, and serves files that need every rule.
    const all = compileMerged(languages[language], language, patterns, sources);
    compiled.set(language, new CompiledLanguage(languages[language], patterns, owners, all));
  }
  return compiled;
}

/**
 * A rule's query for one language: `<id>.py.scm` or `<id>.js.scm` (JavaScript, TypeScript and TSX
 * share one) when the rule has per-language queries, else `<id>.scm`.
 */
export function ruleQuery(queries: Record<string, string>, id: string, language: LanguageId): string | undefined {
  const family = language === 'python' ? 'py' : isJavaScriptFamily(language) ? 'js' : language;
  return queries[`${id}.${family}`] ?? queries[id];
}

/**
 * The source text of each top-level pattern in a rule's query: a parenthesized node or grouping,
 * a `[...]` alternation or a quoted anonymous node, with the quantifiers and captures that follow
 * it. Split as text (strings and `;` comments respected) rather than by compiling each rule's
 * query alone: compiling is what costs at start-up, and the merged query validates them all.
 */
export function splitPatterns(source: string, ruleId: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = source.length;
  const skipString = () => {
    for (i++; i < n && source[i] !== '"'; i++) if (source[i] === '\\') i++;
    i++;
  };
  while (i < n) {
    const c = source[i];
    if (c === ';') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"') skipString();
    else if (c === '(' || c === '[') {
      let depth = 0;
      while (i < n) {
        const d = source[i];
        if (d === '"') {
          skipString();
          continue;
        }
        if (d === ';') {
          while (i < n && source[i] !== '\n') i++;
          continue;
        }
        i++;
        if (d === '(' || d === '[') depth++;
        else if ((d === ')' || d === ']') && --depth === 0) break;
      }
      if (depth !== 0) throw new RuleQueryError(`rule ${ruleId}: unbalanced parentheses in its query`);
    } else throw new RuleQueryError(`rule ${ruleId}: unexpected '${c}' at the top level of its query`);
    // Quantifiers and captures that belong to the pattern: `(call) @call`, `(comment)+ @doc`.
    for (;;) {
      let j = i;
      while (j < n && (source[j] === ' ' || source[j] === '\t' || source[j] === '\n' || source[j] === '\r')) j++;
      if (source[j] === '@') {
        j++;
        while (j < n && /[\w.-]/.test(source[j])) j++;
        i = j;
      } else if (j === i && (source[j] === '*' || source[j] === '+' || source[j] === '?')) i = j + 1;
      else break;
    }
    const text = source.slice(start, i);
    if (text.startsWith('(#')) throw new RuleQueryError(`rule ${ruleId}: put predicates inside the pattern's parentheses: ((node) @x (#eq? @x "v"))`);
    out.push(text);
  }
  return out;
}

/** Compiles a merged query; when it fails, compiles each rule's query alone so the error names the rule. */
function compileMerged(language: Language, languageId: LanguageId, patterns: readonly string[], sources: readonly [AnyRule, string][]): Query {
  try {
    return new Query(language, patterns.join('\n'));
  } catch (err) {
    for (const [rule, source] of sources) {
      try {
        new Query(language, source).delete();
      } catch (ruleErr) {
        throw new RuleQueryError(`rule ${rule.meta.id}: query does not compile for ${languageId}: ${(ruleErr as Error).message}`);
      }
    }
    throw new RuleQueryError(`the merged rule query does not compile for ${languageId}: ${(err as Error).message}`);
  }
}

/** Per-file facts, built on first use by a rule and shared by all rules. */
class FileContext implements RuleContext {
  private pythonFacts?: PythonFacts;
  private jsFacts?: JavaScriptFacts;
  private taintAnalysis?: TaintAnalysis;
  constructor(
    readonly path: string,
    readonly text: string,
    readonly language: LanguageId,
    readonly kinds: ReadonlySet<FileKind>,
    private readonly syntaxTree: Tree | undefined,
    readonly lines: LineIndex,
  ) {}
  get tree(): Tree {
    if (!this.syntaxTree) throw new Error(`${this.language} files have no syntax tree: use a whole-file check`);
    return this.syntaxTree;
  }
  get python(): PythonFacts {
    return (this.pythonFacts ??= new PythonFacts(this.tree));
  }
  get javascript(): JavaScriptFacts {
    return (this.jsFacts ??= new JavaScriptFacts(this.tree));
  }
  get taint(): TaintAnalysis {
    if (!this.taintAnalysis) {
      if (this.language === 'python') this.taintAnalysis = new TaintAnalysis(new PythonTaintAdapter(this.python));
      else if (isJavaScriptFamily(this.language)) this.taintAnalysis = new TaintAnalysis(new JavaScriptTaintAdapter(this.javascript));
      else throw new Error(`no dataflow for ${this.language} files`);
    }
    return this.taintAnalysis;
  }
}

function capturesOf(captures: { name: string; node: Node }[]): RuleMatch {
  const out: Record<string, Node> = {};
  for (const c of captures) if (!(c.name in out)) out[c.name] = c.node;
  return { captures: out };
}

export interface FileInput {
  path: string;
  text: string;
  language: LanguageId;
  /** Defaults to the kinds the path implies (classifyFile). */
  kinds?: ReadonlySet<FileKind>;
  /** Present for languages with a grammar. */
  tree?: Tree;
  lines?: LineIndex;
  /** Started before parsing, so parse time counts; a fresh one of `config.timeBudgetMs` when absent. */
  budget?: TimeBudget;
}

/**
 * The facts rules see about a file, for callers outside the rule loop that ask the same questions
 * (the AI bill of materials reuses the rules' Hub and SDK vocabulary on it).
 */
export function ruleContext(input: FileInput): RuleContext {
  return new FileContext(input.path, input.text, input.language, input.kinds ?? classifyFile(input.path)?.kinds ?? new Set<FileKind>(), input.tree, input.lines ?? new LineIndex(input.text));
}

/** Whether a rule applies to a file of this language and these kinds. */
export function ruleApplies(rule: AnyRule, language: LanguageId, kinds: ReadonlySet<FileKind>): boolean {
  if (!rule.languages.includes(language)) return false;
  return !rule.fileKinds || rule.fileKinds.some((k) => kinds.has(k));
}

/**
 * Runs the rules that apply to one file: the merged query's matches for query rules (when the
 * file has a syntax tree), then whole-file checks. A rule that throws is dropped for this file.
 */
export function analyzeFile(compiled: CompiledLanguage | undefined, fileRules: readonly AnyRule[], input: FileInput, config: AirlockConfig): FileAnalysis {
  const findings: Finding[] = [];
  const failures: RuleFailure[] = [];
  const pending: PendingClassification[] = [];
  const lines = input.lines ?? new LineIndex(input.text);
  const kinds = input.kinds ?? classifyFile(input.path)?.kinds ?? new Set<FileKind>();
  const budget = input.budget ?? new TimeBudget(config.timeBudgetMs);
  const ctx = new FileContext(input.path, input.text, input.language, kinds, input.tree, lines);
  const suppressions = new Suppressions(input.text, lines);
  const failed = new Set<string>();
  const seen = new Set<string>();
  const settings = new Map<AnyRule, ReturnType<typeof ruleSetting>>();
  const active = (rule: AnyRule) => {
    let s = settings.get(rule);
    if (!s) settings.set(rule, (s = ruleSetting(config, rule.meta)));
    return s.enabled && !failed.has(rule.meta.id) && ruleApplies(rule, input.language, kinds) ? s : undefined;
  };
  // Many rules share one pre-filter expression: each is tested once against this file's text.
  const prefilterResults = new Map<RegExp, boolean>();
  const passes = (re: RegExp) => {
    let result = prefilterResults.get(re);
    if (result === undefined) prefilterResults.set(re, (result = re.test(input.text)));
    return result;
  };
  const passesPrefilter = (rule: AnyRule) => !rule.requires || (rule.requires instanceof RegExp ? passes(rule.requires) : rule.requires.some(passes));
  const run = (rule: AnyRule, produce: () => unknown) => {
    const setting = active(rule);
    if (!setting) return;
    try {
      const result = produce() as Detection | Detection[] | undefined;
      if (!result) return;
      for (const detection of Array.isArray(result) ? result : [result]) {
        if (detection.classify) {
          pending.push(classifyLater(rule, detection, ctx, setting.severity, (f) => suppressions.isSuppressed(rule.meta.id, rule.meta.group, lines.positionAt(f.range.start).line)));
          continue;
        }
        const finding = toFinding(rule, detection, ctx, setting.severity);
        const key = `${rule.meta.id}:${finding.range.start}:${finding.range.end}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (suppressions.isSuppressed(rule.meta.id, rule.meta.group, lines.positionAt(finding.range.start).line)) continue;
        findings.push(finding);
      }
    } catch (err) {
      failed.add(rule.meta.id);
      failures.push({ ruleId: rule.meta.id, path: input.path, error: (err as Error)?.stack ?? String(err) });
      // Drop what the failing rule had reported for this file: a half-run rule is not evidence.
      for (let i = findings.length - 1; i >= 0; i--) if (findings[i].ruleId === rule.meta.id) findings.splice(i, 1);
    }
  };

  // The budget is checked between rule invocations, and tree-sitter's progress callback stops
  // the query; a rule that is already running is not interrupted.
  const queryRules = compiled?.rules.filter((r) => passesPrefilter(r)) ?? [];
  let stopped: { during: string; unfinished: AnyRule[] } | undefined;
  // A language with a grammar but no tree: the parse itself was stopped by the budget.
  if (hasGrammar(input.language) && !input.tree) stopped = { during: 'parsing', unfinished: [...queryRules, ...fileRules] };
  // The query holds the patterns of the rules that are on for this file and whose pre-filter its text passes.
  const merged = !stopped && compiled && input.tree ? compiled.queryFor(new Set(queryRules.filter((r) => active(r)))) : undefined;
  if (merged) {
    for (const match of merged.query.matches(input.tree!.rootNode, { progressCallback: budget.stop })) {
      if (budget.exceeded()) break;
      const captures = capturesOf(match.captures);
      for (const rule of merged.patternOwners[match.patternIndex]) run(rule, () => rule.check?.(captures, ctx));
    }
    if (budget.exceeded()) stopped = { during: 'the syntax-tree rules', unfinished: [...queryRules, ...fileRules] };
  }
  for (const [i, rule] of fileRules.entries()) {
    if (stopped) break;
    if (budget.exceeded()) stopped = { during: 'the whole-file checks', unfinished: fileRules.slice(i) };
    else run(rule, () => rule.checkFile?.(ctx));
  }
  if (stopped) {
    const unfinished = [...new Set(stopped.unfinished.filter((r) => active(r)).map((r) => r.meta.id))];
    const finding = budgetFinding(input.path, budget.ms, stopped.during, unfinished, config);
    if (finding && !suppressions.isSuppressed(finding.ruleId, finding.group, 0)) findings.push(finding);
  }
  findings.sort((a, b) => a.range.start - b.range.start || a.ruleId.localeCompare(b.ruleId));
  return { findings, failures, pending: pending.length > 0 ? pending : undefined };
}

/** The notice that a file ran out of time: what was running, which rules did not finish, how to give it more. */
function budgetFinding(path: string, budgetMs: number, during: string, unfinished: string[], config: AirlockConfig): Finding | undefined {
  const { meta } = analysisTimeBudget;
  const setting = ruleSetting(config, meta);
  if (!setting.enabled) return undefined;
  const shown = unfinished.slice(0, 6).join(', ') + (unfinished.length > 6 ? ` and ${unfinished.length - 6} more` : '');
  const rules = unfinished.length === 1 ? '1 rule' : `${unfinished.length} rules`;
  return {
    ruleId: meta.id,
    group: meta.group,
    severity: setting.severity,
    confidence: meta.confidence,
    message: `Analysis of this file ran out of its ${budgetMs} ms time budget during ${during}; ${rules} did not run or did not finish${unfinished.length > 0 ? ` (${shown})` : ''}. Findings reported before the stop are kept. Raise time-budget-ms in airlock.toml (or the airlock.timeBudgetMs setting), or exclude the file.`,
    path,
    range: { start: 0, end: 0 },
    fixes: [],
    related: [],
    flow: [],
  };
}

/**
 * A classifier detection, finished once its text is scored: the detection gains `score` and the
 * highest-scoring `window` (mapped into the file through `classify.base`) before it is worded.
 */
function classifyLater(rule: AnyRule, d: Detection | TextDetection, ctx: RuleContext, severity: AirlockConfig['rules'][string], suppressed: (f: Finding) => boolean): PendingClassification {
  const { text, base } = d.classify!;
  return {
    text,
    complete(score, window, threshold) {
      if (score < threshold) return undefined;
      const start = Math.min(base + window.start, ctx.text.length);
      const end = Math.max(start, Math.min(base + window.end, ctx.text.length));
      // The highest-scoring window is what gets underlined.
      const finding = toFinding(rule, { ...d, classify: undefined, score, range: { start, end } } as Detection, ctx, severity);
      return suppressed(finding) ? undefined : finding;
    },
  };
}

function toFinding(rule: AnyRule, d: Detection | TextDetection, ctx: RuleContext, configuredSeverity: AirlockConfig['rules'][string]): Finding {
  const meta = rule.meta;
  // A configured severity wins; otherwise a detection may lower or raise its rule's default.
  const severity = configuredSeverity !== meta.severity ? configuredSeverity : (d.severity ?? meta.severity);
  return {
    ruleId: meta.id,
    group: meta.group,
    severity: severity === 'off' || severity === 'on' ? meta.severity : severity,
    confidence: d.confidence ?? meta.confidence,
    message: rule.message?.(d, ctx) ?? meta.title,
    path: ctx.path,
    range: d.range ?? { start: (d as Detection).node.startIndex, end: (d as Detection).node.endIndex },
    fixes: meta.fix === 'none' || !rule.fixes ? [] : rule.fixes(d, ctx),
    related: d.related ?? [],
    flow: d.flow ?? [],
    ...(meta.redact && { redact: true }),
  };
}
