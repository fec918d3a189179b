import { defineRule, type TextDetection } from '../../engine/rule';
import type { Fix, TextEdit } from '../../engine/types';
import { codePointName, decodeVariationSelectors, escapeOrDelete, findInvisibleCharacters, isVariationSelector, showHidden, truncate, type InvisibleCharacter } from '../unicode';

interface State extends TextDetection {
  chars: InvisibleCharacter[];
}

/** Flagged characters on one line with no whitespace between them hide in the same word: one finding. */
function group(text: string, chars: InvisibleCharacter[]): InvisibleCharacter[][] {
  const groups: InvisibleCharacter[][] = [];
  for (const c of chars) {
    const current = groups[groups.length - 1];
    const last = current?.[current.length - 1];
    if (last && !/\s/.test(text.slice(last.end, c.start))) current.push(c);
    else groups.push([c]);
  }
  return groups;
}

/** Adjacent characters of a group, as ranges (one edit each). */
function runs(chars: InvisibleCharacter[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const c of chars) {
    const last = out[out.length - 1];
    if (last && last.end === c.start) last.end = c.end;
    else out.push({ start: c.start, end: c.end });
  }
  return out;
}

export default defineRule<State>({
  meta: {
    id: 'invisible-characters',
    group: 'hidden-content',
    title: 'Invisible characters hide inside text or identifiers',
    severity: 'warning',
    status: 'stable',
    fix: 'safe',
    cwe: [451],
    owasp: ['LLM01'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm01-prompt-injection/',
      'https://cwe.mitre.org/data/definitions/451.html',
      'https://www.unicode.org/reports/tr51/#Emoji_ZWJ_Sequences',
      'https://www.unicode.org/charts/PDF/U2000.pdf',
      'https://www.unicode.org/reports/tr36/',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx', 'json', 'yaml', 'toml', 'markdown', 'text'],
  checkFile(ctx) {
    // One regex test rejects files without candidate code points; context checks run only on hits.
    const found = findInvisibleCharacters(ctx.text);
    return group(ctx.text, found).map((chars) => ({ range: { start: chars[0].start, end: chars[chars.length - 1].end }, chars }));
  },
  message(s, ctx) {
    // Variation selectors come in runs of dozens: count them as one family.
    const counts = new Map<string, number>();
    for (const c of s.chars) {
      const name = isVariationSelector(c.cp) ? 'variation selectors' : codePointName(c.cp);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    const names = [...counts].map(([name, n]) => (name === 'variation selectors' ? `${n} ${n === 1 ? 'variation selector' : name}` : n > 1 ? `${n} × ${name}` : name)).join(', ');
    // The word the characters hide in, with each one named: `ig⟦U+200B⟧nore`.
    const text = ctx.text;
    let from = s.range.start;
    while (from > 0 && s.range.start - from < 30 && !/\s/.test(text[from - 1])) from--;
    let to = s.range.end;
    while (to < text.length && to - s.range.end < 30 && !/\s/.test(text[to])) to++;
    const shown = truncate(showHidden(text.slice(from, to)), 120);
    const smuggled = decodeVariationSelectors(text.slice(s.range.start, s.range.end));
    const payload = smuggled ? ` The variation selectors encode the bytes of "${truncate(smuggled, 80)}".` : '';
    return `Invisible ${s.chars.length === 1 ? 'character' : 'characters'} ${names} (${s.chars[0].reason}) in \`${shown}\`: text that looks the same to a reviewer reads differently to a model, a keyword filter or the compiler.${payload} Delete ${s.chars.length === 1 ? 'it' : 'them'}.`;
  },
  fixes(s, ctx): Fix[] {
    // Prose, comments and stray characters between code tokens: deleting changes nothing a
    // program sees. String literals: the escape spells the same value visibly. Identifiers: a
    // visible name (U+3164 → `_u3164`) keeps every use in this file pointing at the same variable,
    // but other files may use the old name, so it is offered, not applied automatically. Raw
    // strings, JSX text, tagged templates and YAML plain scalars have no escape: deleting
    // changes the value, so that is offered only.
    const edits: TextEdit[] = [];
    const how = new Set<'escape' | 'rename' | 'delete'>();
    let unsafe = false;
    for (const r of runs(s.chars)) {
      const e = escapeOrDelete(ctx, r.start, r.end, { rename: true });
      edits.push(e.edit);
      if (e.placement.kind === 'identifier' && e.escaped) {
        how.add('rename');
        unsafe = true;
      } else if (e.escaped) how.add('escape');
      else {
        how.add('delete');
        if (e.placement.kind === 'string' || e.placement.kind === 'identifier') unsafe = true;
      }
    }
    const title =
      how.size > 1
        ? 'Make the invisible characters visible (escapes in strings, deleted elsewhere)'
        : how.has('rename')
          ? 'Rename with the invisible characters spelled out (_uXXXX)'
          : how.has('escape')
            ? 'Spell the invisible characters as escapes'
            : unsafe
              ? 'Delete the invisible characters (changes the value: this string has no escapes)'
              : 'Delete the invisible characters';
    return [{ title, applicability: unsafe ? 'unsafe' : 'safe', edits }];
  },
});
