// The engine's public face, shared by the language server and the CLI: they differ only in
// how they render what it returns. Pure: no editor types, no console, no process state.
import { Parser, type Edit, type Language, type Tree } from 'web-tree-sitter';
import { RULES } from '../rules/index';
import { RULE_QUERIES } from '../rules/queries.generated';
import { analyzeTree, compileRuleQueries, type FileAnalysis } from './analyzer';
import type { AirlockConfig } from './config/config';
import { loadLanguages, type Languages } from './parse/grammars';
import { languageFor } from './parse/languages';
import type { AnyRule } from './rule';
import type { LineIndex } from './text/lines';
import type { LanguageId } from './types';

export interface EngineOptions {
  grammarDir?: string;
  /** Defaults to every registered rule. */
  rules?: readonly AnyRule[];
  /** Defaults to the generated map of rule queries. */
  queries?: Record<string, string>;
}

export class Engine {
  private readonly parsers = new Map<LanguageId, Parser>();

  private constructor(
    readonly languages: Languages,
    readonly rules: readonly AnyRule[],
    private readonly compiled: ReturnType<typeof compileRuleQueries>,
  ) {}

  static async create(options: EngineOptions = {}): Promise<Engine> {
    const languages = await loadLanguages(options.grammarDir);
    const rules = options.rules ?? RULES;
    return new Engine(languages, rules, compileRuleQueries(languages, rules, options.queries ?? RULE_QUERIES));
  }

  languageFor(path: string, editorLanguageId?: string): LanguageId | undefined {
    return languageFor(path, editorLanguageId);
  }

  language(id: LanguageId): Language {
    return this.languages[id];
  }

  /**
   * Parses text; with `previous` (already `edit`ed to match the new text) the parse is
   * incremental. The caller owns the returned tree and must `delete()` it when replaced.
   */
  parse(language: LanguageId, text: string, previous?: Tree): Tree {
    let parser = this.parsers.get(language);
    if (!parser) {
      parser = new Parser();
      parser.setLanguage(this.languages[language]);
      this.parsers.set(language, parser);
    }
    const tree = parser.parse(text, previous ?? null);
    if (!tree) throw new Error(`tree-sitter returned no tree for a ${language} file`);
    return tree;
  }

  /** Analyzes an already parsed file (the language server keeps trees between edits). */
  analyzeTree(input: { path: string; text: string; language: LanguageId; tree: Tree; lines?: LineIndex }, config: AirlockConfig): FileAnalysis {
    return analyzeTree(this.compiled.get(input.language), input, config);
  }

  /** Parses, analyzes and frees the tree: the one-shot path used by scans and tests. */
  analyzeText(path: string, text: string, config: AirlockConfig, language: LanguageId | undefined = languageFor(path)): FileAnalysis {
    if (!language) return { findings: [], failures: [] };
    const tree = this.parse(language, text);
    try {
      return this.analyzeTree({ path, text, language, tree }, config);
    } finally {
      tree.delete();
    }
  }
}

export type { Edit };
