// Inline suppressions:
//   # airlock: ignore[rule-id, other-rule] reason        (this line, or the line below it)
//   // airlock: ignore                                    (every rule, same placement)
//   # airlock: ignore-file[rule-id] reason                 (the whole file)
// The comment marker may be #, //, /* or <!--, so one syntax works in code, YAML and Markdown.
import type { LineIndex } from './text/lines';
import type { LanguageId } from './types';

const MARKER = /(?:#|\/\/|\/\*|<!--)\s*airlock:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?/g;

interface Directive {
  line: number;
  /** undefined means every rule. */
  rules: Set<string> | undefined;
}

export class Suppressions {
  private readonly lineDirectives = new Map<number, Directive[]>();
  private readonly fileDirectives: Directive[] = [];

  constructor(text: string, lines: LineIndex) {
    if (!text.includes('airlock:')) return;
    for (const m of text.matchAll(MARKER)) {
      const line = lines.positionAt(m.index ?? 0).line;
      const ids = m[2]
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const directive: Directive = { line, rules: ids && ids.length > 0 ? new Set(ids) : undefined };
      if (m[1] === 'ignore-file') this.fileDirectives.push(directive);
      else {
        const list = this.lineDirectives.get(line) ?? [];
        list.push(directive);
        this.lineDirectives.set(line, list);
      }
    }
  }

  /** Whether a finding of `ruleId` (or its group) starting on `line` is suppressed. */
  isSuppressed(ruleId: string, group: string, line: number): boolean {
    const matches = (d: Directive) => !d.rules || d.rules.has(ruleId) || d.rules.has(group);
    if (this.fileDirectives.some(matches)) return true;
    for (const l of [line, line - 1]) {
      if (this.lineDirectives.get(l)?.some(matches)) return true;
    }
    return false;
  }
}

/** The comment that suppresses `ruleId` on the next line, in the syntax of the file's language. */
export function suppressionComment(ruleId: string, language: LanguageId | undefined): string {
  const directive = `airlock: ignore[${ruleId}]`;
  switch (language) {
    case 'markdown':
      return `<!-- ${directive} -->`;
    case 'python':
    case 'yaml':
    case 'toml':
    case 'text':
      return `# ${directive}`;
    default:
      return `// ${directive}`;
  }
}
