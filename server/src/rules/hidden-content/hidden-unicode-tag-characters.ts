import { defineRule, type TextDetection } from '../../engine/rule';
import { findTagRuns, truncate } from '../unicode';

interface State extends TextDetection {
  /** The ASCII the tag characters spell. */
  decoded: string;
  count: number;
}

// Every language and kind: tag characters hide as well in a Python comment or an MCP tool
// description as in a rules file, and a model reads all of them.
export default defineRule<State>({
  meta: {
    id: 'hidden-unicode-tag-characters',
    group: 'hidden-content',
    title: 'Invisible Unicode tag characters spell hidden text',
    severity: 'error',
    status: 'stable',
    fix: 'safe',
    cwe: [451, 1007],
    owasp: ['LLM01'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm01-prompt-injection/',
      'https://cwe.mitre.org/data/definitions/451.html',
      'https://www.unicode.org/charts/PDF/UE0000.pdf',
      'https://www.unicode.org/reports/tr51/#def_emoji_tag_sequence',
      'https://embracethered.com/blog/posts/2024/hiding-and-finding-text-with-unicode-tags/',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx', 'json', 'yaml', 'toml', 'markdown', 'text'],
  checkFile(ctx) {
    // findTagRuns starts with one regex test: files without tag characters cost nothing more.
    return findTagRuns(ctx.text).map((run) => ({
      range: { start: run.start, end: run.end },
      decoded: run.decoded,
      count: [...ctx.text.slice(run.start, run.end)].length,
    }));
  },
  message(s) {
    const shown = s.decoded.trim() ? `the hidden text "${truncate(s.decoded.trim(), 100)}"` : `${s.count} invisible tag character${s.count === 1 ? '' : 's'}`;
    return `Invisible Unicode tag characters spell ${shown}: editors, diffs and reviews show nothing here, but a language model reads it as text, so it can carry instructions no reviewer sees. Delete them.`;
  },
  fixes(s) {
    // Deleting is safe: outside flag emoji (never reported) tag characters have no legitimate
    // use and render as nothing, so only the hidden payload goes, even from a string literal.
    return [{ title: 'Delete the hidden tag characters', applicability: 'safe', edits: [{ ...s.range, newText: '' }] }];
  },
});
