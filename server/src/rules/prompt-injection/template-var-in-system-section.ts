import { defineRule, type RuleContext, type TextDetection } from '../../engine/rule';
import type { Fix, TextRange } from '../../engine/types';

interface State extends TextDetection {
  /** The variable as written (`user.name`, `question`). */
  name: string;
  /** The placeholder as written (`{{ question | safe }}`). */
  placeholder: string;
  /** Why it is reported: its name looks user-controlled, or nothing delimits it. */
  reason: 'user-controlled' | 'undelimited';
  delimited: boolean;
  /** Jinja's `| safe` (no escaping). */
  safe: boolean;
  /** How the file marks its system section, for messages. */
  format: Format;
}

type Format = 'prompty' | 'dotprompt' | 'prompt-yml' | 'chatml' | 'jinja-block';

interface Section extends TextRange {
  format: Format;
}

/** Word parts of names that usually hold what a user, a page or a document supplied. */
const USER_PARTS = new Set([
  'user', 'users', 'usr', 'input', 'inputs', 'userinput', 'query', 'queries', 'question', 'questions', 'message', 'messages', 'msg', 'request', 'comment', 'comments',
  'document', 'documents', 'doc', 'docs', 'context', 'page', 'pages', 'email', 'emails', 'mail', 'ticket', 'review', 'reviews', 'feedback', 'conversation', 'history',
  'chat', 'transcript', 'search', 'prompt', 'text', 'body', 'content', 'contents', 'upload', 'uploaded', 'url', 'html', 'reply', 'post', 'article', 'snippet', 'instruction',
  'instructions', 'customer', 'profile', 'bio', 'description', 'issue', 'tweet', 'answer', 'retrieved', 'results', 'passage', 'passages', 'chunk', 'chunks', 'web',
]);
/** Names that hold values the application sets: reported nowhere. */
const CONSTANT_PARTS = new Set([
  'company', 'product', 'brand', 'app', 'application', 'assistant', 'bot', 'agent', 'today', 'date', 'time', 'now', 'year', 'timezone', 'tz', 'locale', 'language', 'lang',
  'version', 'model', 'tone', 'persona', 'role', 'org', 'organization', 'team', 'domain', 'site', 'currency', 'country', 'region', 'policy', 'max', 'min', 'limit', 'env',
]);

export default defineRule<State>({
  meta: {
    id: 'template-var-in-system-section',
    group: 'prompt-injection',
    title: 'Template variable in the system section of a prompt file',
    severity: 'warning',
    status: 'stable',
    fix: 'unsafe',
    cwe: [1427, 77],
    owasp: ['LLM01', 'LLM07'],
    confidence: 'medium',
    references: [
      'https://genai.owasp.org/llmrisk/llm01-prompt-injection/',
      'https://genai.owasp.org/llmrisk/llm072025-system-prompt-leakage/',
      'https://cwe.mitre.org/data/definitions/1427.html',
      'https://cwe.mitre.org/data/definitions/77.html',
      'https://microsoft.github.io/promptflow/how-to-guides/develop-a-prompty/index.html',
      'https://google.github.io/dotprompt/reference/template/',
      'https://docs.github.com/en/github-models/use-github-models/storing-prompts-in-github-repositories',
    ],
  },
  languages: ['markdown', 'text', 'yaml'],
  fileKinds: ['prompt'],
  checkFile(ctx) {
    const sections = systemSections(ctx);
    if (sections.length === 0) return [];
    const skip = skippedRanges(ctx.text);
    const out: State[] = [];
    for (const section of sections) {
      for (const p of placeholders(ctx.text, section, ctx.language === 'yaml')) {
        if (skip.some(([a, b]) => p.start >= a && p.start < b)) continue;
        const parts = nameParts(p.name);
        const userLike = parts.some((w) => USER_PARTS.has(w));
        const constant = !userLike && parts.some((w) => CONSTANT_PARTS.has(w));
        if (constant) continue;
        const delimited = isDelimited(ctx.text, section, p.start, p.end);
        if (!userLike && delimited) continue;
        out.push({ range: { start: p.start, end: p.end }, name: p.name, placeholder: p.text, reason: userLike ? 'user-controlled' : 'undelimited', delimited, safe: p.safe, format: section.format });
      }
    }
    return out;
  },
  message(s) {
    const where = { prompty: 'the `system:` section', dotprompt: 'the `{{role "system"}}` section', 'prompt-yml': 'a `role: system` message', chatml: 'the system turn', 'jinja-block': 'the system block' }[s.format];
    const why =
      s.reason === 'user-controlled'
        ? `\`${s.name}\` looks like user-supplied text, and ${where} is where the model takes its highest-priority instructions: whatever it holds can override them (and read them back out).`
        : `Nothing delimits \`${s.name}\` in ${where}, so if its value ever comes from a user or a document the model cannot tell it from your instructions.`;
    const safe = s.safe ? ' `| safe` also turns off escaping for it.' : '';
    const todo = s.delimited
      ? ' Move it to a user message and refer to it from the system prompt.'
      : ` Move it to a user message, or at least wrap it in tags (\`<${tagFor(s.name)}>…</${tagFor(s.name)}>\`) and tell the model to treat what is inside as data.`;
    return `Template variable ${s.placeholder} sits in ${where}. ${why}${safe}${todo}`;
  },
  fixes(s) {
    if (s.delimited) return [];
    const tag = tagFor(s.name);
    const fix: Fix = {
      title: `Wrap ${s.placeholder} in <${tag}> tags (moving it to a user message is a manual change)`,
      applicability: 'unsafe',
      edits: [
        { start: s.range.start, end: s.range.start, newText: `<${tag}>` },
        { start: s.range.end, end: s.range.end, newText: `</${tag}>` },
      ],
    };
    return [fix];
  },
});

function tagFor(name: string): string {
  const tag = name.replace(/[^\w]+/g, '_').replace(/^_+|_+$/g, '').toLowerCase();
  return /^[a-z]/.test(tag) ? tag : `input_${tag}`;
}

/** `userQuestion`, `user_question`, `user.question` → ['user', 'question']. */
function nameParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

// Sections -----------------------------------------------------------------------------------

function frontMatterEnd(text: string): number {
  const m = /^---\r?\n[\s\S]*?\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  return m ? m[0].length : 0;
}

function systemSections(ctx: RuleContext): Section[] {
  const { text } = ctx;
  if (ctx.language === 'yaml') return yamlSystemMessages(text);
  const body = frontMatterEnd(text);
  const out: Section[] = [];
  // Prompty (and Jinja templates written the same way): `system:` / `user:` / `assistant:` lines.
  // `(?:#[ \t]*)?`, not `#?[ \t]*`: two adjacent `[ \t]*` backtrack quadratically on a line of blanks.
  const roleLine = /^[ \t]*(?:#[ \t]*)?(system|user|assistant|developer|tool|function)[ \t]*:[ \t]*\r?$/gim;
  roleLine.lastIndex = body;
  pairUp(text, roleLine, out, 'prompty');
  // Dotprompt: {{role "system"}} … {{role "user"}} (or {{history}}).
  const dot = /\{\{\s*(?:role\s+["'](\w+)["']|(history))\s*\}\}/g;
  dot.lastIndex = body;
  pairUp(text, dot, out, 'dotprompt');
  // ChatML in Jinja templates: <|im_start|>system … <|im_end|>.
  for (const m of text.matchAll(/<\|im_start\|>[ \t]*system\b/g)) {
    const start = m.index! + m[0].length;
    const end = text.indexOf('<|im_end|>', start);
    out.push({ start, end: end < 0 ? text.length : end, format: 'chatml' });
  }
  // Jinja blocks: {% block system %} … {% endblock %}.
  for (const m of text.matchAll(/\{%-?\s*block\s+(system\w*)\s*-?%\}/g)) {
    const start = m.index! + m[0].length;
    const end = /\{%-?\s*endblock\b[^%]*%\}/.exec(text.slice(start));
    out.push({ start, end: end ? start + end.index : text.length, format: 'jinja-block' });
  }
  return out;
}

/** Role markers in order: each `system` marker opens a section that the next marker closes. */
function pairUp(text: string, marker: RegExp, out: Section[], format: Format): void {
  let open: number | undefined;
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    if (open !== undefined) out.push({ start: open, end: m.index, format });
    open = (m[1] ?? m[2] ?? '').toLowerCase() === 'system' ? m.index + m[0].length : undefined;
  }
  if (open !== undefined) out.push({ start: open, end: text.length, format });
}

/** `.prompt.yml` messages: the `content:` of every list item with `role: system`. */
function yamlSystemMessages(text: string): Section[] {
  const lines: { start: number; end: number; text: string }[] = [];
  let offset = 0;
  for (const raw of text.split('\n')) {
    lines.push({ start: offset, end: offset + raw.replace(/\r$/, '').length, text: raw.replace(/\r$/, '') });
    offset += raw.length + 1;
  }
  const indent = (s: string) => /^ */.exec(s)![0].length;
  const out: Section[] = [];
  for (let i = 0; i < lines.length; i++) {
    const item = /^( *)-\s+/.exec(lines[i].text);
    if (!item) continue;
    const itemIndent = item[1].length;
    let j = i + 1;
    while (j < lines.length && (lines[j].text.trim() === '' || /^\s*#/.test(lines[j].text) || indent(lines[j].text) > itemIndent)) j++;
    const fields = lines.slice(i, j);
    if (!fields.some((l) => /^\s*(?:-\s+)?role\s*:\s*["']?system["']?\s*(?:#.*)?$/.test(l.text))) continue;
    for (let k = 0; k < fields.length; k++) {
      const c = /^(\s*(?:-\s+)?)content\s*:[ \t]*(.*)$/.exec(fields[k].text);
      if (!c) continue;
      const keyIndent = c[1].length;
      if (/^[|>]/.test(c[2])) {
        let last = k;
        for (let n = k + 1; n < fields.length; n++) {
          if (fields[n].text.trim() !== '' && indent(fields[n].text) <= keyIndent) break;
          last = n;
        }
        if (last > k) out.push({ start: fields[k + 1].start, end: fields[last].end, format: 'prompt-yml' });
      } else {
        out.push({ start: fields[k].start + fields[k].text.length - c[2].length, end: fields[k].end, format: 'prompt-yml' });
      }
    }
    i = j - 1;
  }
  return out;
}

// Placeholders -------------------------------------------------------------------------------

interface Placeholder extends TextRange {
  text: string;
  name: string;
  safe: boolean;
}

/** Helpers and block syntax that are not values: `{{#if}}`, `{{/each}}`, `{{else}}`, `{{role …}}`. */
const NOT_A_VALUE = /^(?:[#/!>^&]|else\b|role\b|history\b|section\b|media\b|@|this\b|\.)/;

function placeholders(text: string, section: Section, yaml: boolean): Placeholder[] {
  const out: Placeholder[] = [];
  const body = text.slice(section.start, section.end);
  for (const m of body.matchAll(/\{\{\{?-?\s*([^{}]*?)\s*-?\}?\}\}/g)) {
    let expr = m[1];
    if (NOT_A_VALUE.test(expr)) continue;
    // Handlebars helpers with one argument (`{{json input}}`, `{{upper name}}`): the argument is the value.
    const helper = /^[A-Za-z_]\w*\s+([A-Za-z_@][\w.]*)\s*$/.exec(expr);
    if (helper) expr = helper[1];
    const name = /^[A-Za-z_][\w.]*(?:\[['"]?\w+['"]?\])*/.exec(expr)?.[0];
    if (!name) continue;
    const safe = /\|\s*safe\b/.test(expr);
    out.push({ start: section.start + m.index!, end: section.start + m.index! + m[0].length, text: m[0], name, safe });
  }
  // f-string / LangChain style `{name}` (not `{{`, not `${`), outside YAML flow mappings.
  if (!yaml || !/^\s*\{/.test(body)) {
    for (const m of body.matchAll(/(?<![{$\w\\])\{([A-Za-z_][\w.]*)\}(?!\})/g)) {
      out.push({ start: section.start + m.index!, end: section.start + m.index! + m[0].length, text: m[0], name: m[1], safe: false });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Comments, where placeholders are text: `{# #}`, `{{!-- --}}`, `<!-- -->`. */
function skippedRanges(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (const m of text.matchAll(/\{#[\s\S]*?#\}|\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}|<!--[\s\S]*?-->|\{%-?\s*raw\s*-?%\}[\s\S]*?\{%-?\s*endraw\s*-?%\}/g)) out.push([m.index!, m.index! + m[0].length]);
  return out;
}

/**
 * Delimited: inside an XML-style tag pair (`<document>…</document>`), a fenced block or triple
 * quotes, within the section.
 */
function isDelimited(text: string, section: Section, start: number, end: number): boolean {
  const before = text.slice(section.start, start);
  const after = text.slice(end, section.end);
  if ((before.match(/^\s*(?:```|~~~)/gm) ?? []).length % 2 === 1) return true;
  if ((before.match(/"""|'''/g) ?? []).length % 2 === 1 && /"""|'''/.test(after)) return true;
  const open = /<([A-Za-z][\w:-]*)(?:\s[^<>]*)?>/g;
  for (const m of before.matchAll(open)) {
    const tag = m[1];
    const closeBefore = before.slice(m.index! + m[0].length).includes(`</${tag}>`);
    if (!closeBefore && after.includes(`</${tag}>`)) return true;
  }
  return false;
}
