// The engine's public face, shared by the language server and the CLI: they differ only in
// how they render what it returns. Pure: no editor types, no console, no process state.
import { Parser, type Edit, type Language, type Tree } from 'web-tree-sitter';
import { RULES } from '../rules/index';
import { RULE_QUERIES } from '../rules/queries.generated';
import { analyzeFile, compileRuleQueries, type FileAnalysis, type FileInput } from './analyzer';
import type { AirlockConfig } from './config/config';
import { loadLanguages, type Languages } from './parse/grammars';
import { classifyFile, hasGrammar, type FileClass } from './files';
import type { AnyRule } from './rule';
import { TimeBudget } from './budget';
import type { GrammarLanguageId, LanguageId } from './types';

export interface EngineOptions {
  grammarDir?: string;
  /** Defaults to every registered rule. */
  rules?: readonly AnyRule[];
  /** Defaults to the generated map of rule queries. */
  queries?: Record<string, string>;
}

export class Engine {
  private readonly parsers = new Map<GrammarLanguageId, Parser>();
  /** Rules that check whole files (text formats, hidden characters), run after the query rules. */
  private readonly fileRules: readonly AnyRule[];

  private constructor(
    readonly languages: Languages,
    readonly rules: readonly AnyRule[],
    private readonly compiled: ReturnType<typeof compileRuleQueries>,
  ) {
    this.fileRules = rules.filter((r) => r.checkFile);
  }

  static async create(options: EngineOptions = {}): Promise<Engine> {
    const languages = await loadLanguages(options.grammarDir);
    const rules = options.rules ?? RULES;
    return new Engine(languages, rules, compileRuleQueries(languages, rules, options.queries ?? RULE_QUERIES));
  }

  /** What a file is (language and kinds); undefined for files Airlock does not read. */
  classify(path: string, editorLanguageId?: string): FileClass | undefined {
    return classifyFile(path, editorLanguageId);
  }

  languageFor(path: string, editorLanguageId?: string): LanguageId | undefined {
    return classifyFile(path, editorLanguageId)?.language;
  }

  language(id: GrammarLanguageId): Language {
    return this.languages[id];
  }

  /**
   * Parses text; with `previous` (already `edit`ed to match the new text) the parse is
   * incremental. The caller owns the returned tree and must `delete()` it when replaced.
   */
  parse(language: GrammarLanguageId, text: string, previous?: Tree): Tree {
    const tree = this.parseWithin(language, text, undefined, previous);
    if (!tree) throw new Error(`tree-sitter returned no tree for a ${language} file`);
    return tree;
  }

  /** Like `parse`, but stops when `budget` runs out: undefined then (the parser is reset for the next file). */
  parseWithin(language: GrammarLanguageId, text: string, budget: TimeBudget | undefined, previous?: Tree): Tree | undefined {
    let parser = this.parsers.get(language);
    if (!parser) {
      parser = new Parser();
      parser.setLanguage(this.languages[language]);
      this.parsers.set(language, parser);
    }
    const tree = parser.parse(text, previous ?? null, budget && { progressCallback: budget.stop });
    // A stopped parse would otherwise resume, on the next call, where it left off.
    if (!tree) parser.reset();
    return tree ?? undefined;
  }

  /** Analyzes an already parsed file (the language server keeps trees between edits). */
  analyzeTree(input: FileInput, config: AirlockConfig): FileAnalysis {
    return analyzeFile(this.compiled.get(input.language), this.fileRules, input, config);
  }

  /** Parses, analyzes and frees the tree: the one-shot path used by scans and tests. */
  analyzeText(path: string, text: string, config: AirlockConfig, file: FileClass | undefined = classifyFile(path)): FileAnalysis {
    if (!file) return { findings: [], failures: [] };
    const budget = new TimeBudget(config.timeBudgetMs);
    const tree = hasGrammar(file.language) ? this.parseWithin(file.language, text, budget) : undefined;
    try {
      return this.analyzeTree({ path, text, language: file.language, kinds: file.kinds, tree, budget }, config);
    } finally {
      tree?.delete();
    }
  }
}

export type { Edit };
