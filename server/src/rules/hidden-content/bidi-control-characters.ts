import { defineRule, type TextDetection } from '../../engine/rule';
import type { Fix } from '../../engine/types';
import { analyzeBidiControls, BIDI_ABBREVIATIONS, escapeOrDelete, placementAt, truncate, type BidiControl } from '../unicode';

interface State extends TextDetection {
  controls: BidiControl[];
}

export default defineRule<State>({
  meta: {
    id: 'bidi-control-characters',
    group: 'hidden-content',
    title: 'Bidirectional control characters reorder how text is displayed',
    severity: 'error',
    status: 'stable',
    fix: 'safe',
    cwe: [451, 1007],
    owasp: ['LLM01'],
    confidence: 'high',
    references: [
      'https://trojansource.codes/',
      'https://nvd.nist.gov/vuln/detail/CVE-2021-42574',
      'https://cwe.mitre.org/data/definitions/451.html',
      'https://www.unicode.org/reports/tr9/',
      'https://genai.owasp.org/llmrisk/llm01-prompt-injection/',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx', 'json', 'yaml', 'toml', 'markdown', 'text'],
  checkFile(ctx) {
    // One regex test inside analyzeBidiControls rejects files without controls.
    const code = ctx.kinds.has('code');
    const controls = analyzeBidiControls(ctx.text, { requireTerminated: code });
    if (controls.length === 0) return undefined;
    // In code, a control outside a string or comment has no business there, whatever the text around it.
    if (code) for (const c of controls) if (!c.reason && placementAt(ctx, c.start).kind === 'code') c.reason = 'a control outside any string or comment';
    // Closers follow their opener when the code check above flagged it.
    const byStart = new Map(controls.map((c) => [c.start, c]));
    for (const c of controls) if (c.partner !== undefined && !c.reason && byStart.get(c.partner)?.reason) c.reason = byStart.get(c.partner)!.reason;
    // One finding per line: a Trojan Source line usually carries several controls.
    const byLine = new Map<number, BidiControl[]>();
    for (const c of controls) {
      if (!c.reason) continue;
      const line = ctx.lines.positionAt(c.start).line;
      byLine.set(line, [...(byLine.get(line) ?? []), c]);
    }
    return [...byLine.values()].map((list) => ({ range: { start: list[0].start, end: list[list.length - 1].start + 1 }, controls: list }));
  },
  message(s, ctx) {
    const line = ctx.lines.positionAt(s.range.start).line;
    // The line in the order a compiler or model reads it, controls spelled out.
    const logical = ctx.lines.lineText(line).replace(/[\u202A-\u202E\u2066-\u2069]/g, (c) => `⟦${BIDI_ABBREVIATIONS[c.charCodeAt(0)]}⟧`).trim();
    const names = s.controls.map((c) => BIDI_ABBREVIATIONS[c.cp]).join(', ');
    return `Bidirectional control character${s.controls.length === 1 ? '' : 's'} ${names} (${s.controls[0].reason}) make this line display in a different order than it is read (Trojan Source, CVE-2021-42574). Read in order it is: ${truncate(logical, 160)}`;
  },
  fixes(s, ctx): Fix[] {
    // In string literals the escape keeps the exact value and makes the control visible; in
    // comments, prose and code tokens (where controls are never valid) deleting is safe. Raw
    // strings, JSX text and YAML plain scalars have no escape: deleting changes the value.
    let unsafe = false;
    let escaped = false;
    const edits = s.controls.map((c) => {
      const e = escapeOrDelete(ctx, c.start, c.start + 1);
      escaped ||= e.escaped;
      if (!e.escaped && e.placement.kind === 'string') unsafe = true;
      return e.edit;
    });
    const title = escaped ? 'Spell the bidirectional controls as escapes' : 'Delete the bidirectional control characters';
    return [{ title: unsafe ? `${title} (changes a string value)` : title, applicability: unsafe ? 'unsafe' : 'safe', edits }];
  },
});
