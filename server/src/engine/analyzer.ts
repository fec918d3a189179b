// Runs every rule over one parsed file. Rule queries of a language are merged into ONE
// multi-pattern query, so each tree is walked once for all rules; each match is dispatched to
// the rule that owns the pattern. A rule that throws is disabled for that file and reported
// as an error; the other rules still report.
import { Query, type Language, type Node, type Tree } from 'web-tree-sitter';
import { ruleSetting, type AirlockConfig } from './config/config';
import { JavaScriptFacts } from './facts/javascript';
import { PythonFacts } from './facts/python';
import type { AnyRule, Detection, RuleContext, RuleMatch } from './rule';
import { Suppressions } from './suppress';
import { LineIndex } from './text/lines';
import type { Finding, LanguageId } from './types';

export class RuleQueryError extends Error {}

interface CompiledLanguage {
  query: Query;
  /** patternOwner[i] is the rule that owns merged pattern i. */
  patternOwner: AnyRule[];
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
}

export function compileRuleQueries(languages: Record<LanguageId, Language>, rules: readonly AnyRule[], queries: Record<string, string>): Map<LanguageId, CompiledLanguage> {
  const compiled = new Map<LanguageId, CompiledLanguage>();
  for (const language of Object.keys(languages) as LanguageId[]) {
    const owners: AnyRule[] = [];
    const sources: string[] = [];
    for (const rule of rules) {
      if (!rule.languages.includes(language)) continue;
      const source = queries[rule.meta.id];
      if (source === undefined) throw new RuleQueryError(`rule ${rule.meta.id} has no .scm query`);
      let count: number;
      try {
        const single = new Query(languages[language], source);
        count = single.patternCount();
        single.delete();
      } catch (err) {
        throw new RuleQueryError(`rule ${rule.meta.id}: query does not compile for ${language}: ${(err as Error).message}`);
      }
      for (let i = 0; i < count; i++) owners.push(rule);
      sources.push(source);
    }
    if (owners.length === 0) continue;
    compiled.set(language, { query: new Query(languages[language], sources.join('\n')), patternOwner: owners });
  }
  return compiled;
}

/** Per-file facts, built on first use by a rule and shared by all rules. */
class FileContext implements RuleContext {
  private pythonFacts?: PythonFacts;
  private jsFacts?: JavaScriptFacts;
  constructor(
    readonly path: string,
    readonly text: string,
    readonly language: LanguageId,
    readonly tree: Tree,
    readonly lines: LineIndex,
  ) {}
  get python(): PythonFacts {
    return (this.pythonFacts ??= new PythonFacts(this.tree));
  }
  get javascript(): JavaScriptFacts {
    return (this.jsFacts ??= new JavaScriptFacts(this.tree));
  }
}

function capturesOf(captures: { name: string; node: Node }[]): RuleMatch {
  const out: Record<string, Node> = {};
  for (const c of captures) if (!(c.name in out)) out[c.name] = c.node;
  return { captures: out };
}

export function analyzeTree(
  compiled: CompiledLanguage | undefined,
  input: { path: string; text: string; language: LanguageId; tree: Tree; lines?: LineIndex },
  config: AirlockConfig,
): FileAnalysis {
  const findings: Finding[] = [];
  const failures: RuleFailure[] = [];
  if (!compiled) return { findings, failures };
  const lines = input.lines ?? new LineIndex(input.text);
  const ctx = new FileContext(input.path, input.text, input.language, input.tree, lines);
  const suppressions = new Suppressions(input.text, lines);
  const failed = new Set<string>();
  const seen = new Set<string>();
  const settings = new Map<AnyRule, ReturnType<typeof ruleSetting>>();
  const settingOf = (rule: AnyRule) => {
    let s = settings.get(rule);
    if (!s) settings.set(rule, (s = ruleSetting(config, rule.meta)));
    return s;
  };

  for (const match of compiled.query.matches(input.tree.rootNode)) {
    const rule = compiled.patternOwner[match.patternIndex];
    const setting = settingOf(rule);
    if (!setting.enabled || failed.has(rule.meta.id)) continue;
    try {
      const result = rule.check(capturesOf(match.captures), ctx);
      if (!result) continue;
      for (const detection of Array.isArray(result) ? result : [result]) {
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
  }
  findings.sort((a, b) => a.range.start - b.range.start || a.ruleId.localeCompare(b.ruleId));
  return { findings, failures };
}

function toFinding(rule: AnyRule, d: Detection, ctx: RuleContext, configuredSeverity: AirlockConfig['rules'][string]): Finding {
  const meta = rule.meta;
  // A configured severity wins; otherwise a detection may lower or raise its rule's default.
  const severity = configuredSeverity !== meta.severity ? configuredSeverity : (d.severity ?? meta.severity);
  return {
    ruleId: meta.id,
    group: meta.group,
    severity: severity === 'off' || severity === 'on' ? meta.severity : severity,
    confidence: d.confidence ?? meta.confidence,
    message: rule.message(d, ctx),
    path: ctx.path,
    range: d.range ?? { start: d.node.startIndex, end: d.node.endIndex },
    fixes: meta.fix === 'none' || !rule.fixes ? [] : rule.fixes(d, ctx),
    related: d.related ?? [],
  };
}
