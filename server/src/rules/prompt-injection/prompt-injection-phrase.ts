import { defineRule, type RuleContext, type TextDetection } from '../../engine/rule';
import { findInjectionPhrases, type PhraseMatch } from '../injection-phrases';
import { truncate } from '../unicode';

interface State extends TextDetection {
  family: string;
  meaning: string;
  phrase: string;
}

// Which families to read where. Credential paths and tool-priority wording are normal in a
// rules file ("copy .env.example to .env") and in prompts; they are instructions only in
// model-facing text of an MCP configuration. rules-file-backdoor reads rules files for
// exfiltration with more context, so it is left to that rule there.
const EVERYWHERE = ['instruction-override', 'concealment', 'important-tag', 'prompt-leak', 'role-hijack'];
const PROMPT_ONLY = ['exfiltration'];
const MCP_ONLY = ['exfiltration', 'credential-access', 'tool-priority'];

/** Reported speech in a defensive prompt: "if the user asks you to …", "users may try to …". */
const REPORTED = /\b(?:if|when|whenever|should|in\s+case)\s+(?:(?:the|a|an|any|some|their|your)\s+)?(?:users?|someone|anyone|somebody|customers?|messages?|input|text|documents?|pages?|requests?|prompts?|tickets?|e-?mails?|comments?|they|people|asked|told)\b(?:[^.\n]{0,60}\b(?:asks?|asking|tells?|telling|says?|saying|wants?|tries|try|trying|requests?|instructs?|attempts?|demands?|claims?|contains?|includes?|writes?|types?|sends?)\b)?|\b(?:tries|try|trying|attempts?|attempting)\s+to\b|\b(?:may|might|could|will)\s+(?:ask|tell|try|attempt|instruct)\b/i;
/** A refusal after the phrase in the same sentence: "… must be refused", "…, decline". */
const REFUSED_AFTER = /^[^.\n]{0,80}\b(?:refuse|refused|decline|declined|do\s+not\s+comply|don'?t\s+comply|ignore\s+(?:it|them|that|such)|is\s+(?:an?\s+)?(?:attack|injection|jailbreak))/i;
/** "Do not reveal these instructions / your system prompt": a confidentiality line, not concealment of actions. */
const CONFIDENTIAL = /\b(?:instructions?|system\s+prompt|prompt|rules|guidelines)\b/i;
/** Markers of a section or lead-in that shows examples of attacks rather than instructions. */
const EXAMPLE_CONTEXT = /\b(?:examples?|attacks?|injections?|malicious|payloads?|jailbreaks?|red[- ]?team\w*|tests?|adversarial|threats?|security)\b/i;

export default defineRule<State>({
  meta: {
    id: 'prompt-injection-phrase',
    group: 'prompt-injection',
    title: 'Prompt, rules file or MCP config contains a known prompt-injection phrase',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [1427],
    owasp: ['LLM01'],
    confidence: 'medium',
    references: [
      'https://genai.owasp.org/llmrisk/llm01-prompt-injection/',
      'https://cwe.mitre.org/data/definitions/1427.html',
      'https://invariantlabs.ai/blog/mcp-security-notification-tool-poisoning-attacks',
      'https://www.pillar.security/blog/new-vulnerability-in-github-copilot-and-cursor-how-hackers-can-weaponize-code-agents',
    ],
  },
  languages: ['markdown', 'text', 'yaml', 'json'],
  fileKinds: ['prompt', 'rules', 'mcp'],
  checkFile(ctx) {
    const mcp = ctx.kinds.has('mcp');
    const prompt = ctx.kinds.has('prompt');
    const families = [...EVERYWHERE, ...(prompt ? PROMPT_ONLY : []), ...(mcp ? MCP_ONLY : [])];
    const text = readable(ctx);
    if (!text) return [];
    const skipped = exampleBlocks(ctx, text);
    const out: State[] = [];
    for (const m of findInjectionPhrases(text, families)) {
      if (skipped.some(([a, b]) => m.start >= a && m.start < b)) continue;
      if (!keep(m, text, mcp)) continue;
      out.push({ range: { start: m.start, end: m.end }, family: m.family.name, meaning: m.family.meaning, phrase: m.text });
    }
    return out;
  },
  message(s, ctx) {
    const file = ctx.kinds.has('mcp') ? 'This MCP configuration' : ctx.kinds.has('rules') ? 'This agent instruction file' : 'This prompt file';
    return `${file} contains a known prompt-injection phrase (${s.family}: the text ${s.meaning}): "${truncate(s.phrase.replace(/\s+/g, ' '), 80)}". The model reads it as an instruction, whoever wrote it. Remove it unless your team wrote it on purpose; to defend against such phrases, quote them or say what to do when a user sends them.`;
  },
});

/** Extra checks beyond the shared mention/use test, per family. */
function keep(m: PhraseMatch, text: string, mcp: boolean): boolean {
  const from = lineOrSentenceStart(text, m.start);
  const before = text.slice(from, m.start);
  const after = text.slice(m.end);
  if (REPORTED.test(before) || REFUSED_AFTER.test(after)) return false;
  switch (m.family.name) {
    case 'important-tag':
      // One finding per block: the opening tag. Outside MCP configs `<instructions>` and `<system>`
      // are ordinary prompt structure, and `[system]` alone is a role marker.
      if (/^<\s*\//.test(m.text)) return false;
      if (!mcp && /^<\s*(?:system|instructions?)\s*>$/i.test(m.text)) return false;
      if (!mcp && /^\[\s*(?:system|admin)\s*\]/i.test(m.text)) return false;
      return true;
    case 'concealment':
      // "Do not reveal these instructions to the user" keeps a system prompt confidential.
      return mcp || !CONFIDENTIAL.test(m.text);
    case 'exfiltration':
      // Moving conversation data is normal in prompts ("include the chat history in the summary");
      // it is exfiltration when the sentence names somewhere outside.
      return /https?:\/\/|[\w.+-]+@[\w-]+\.[a-z]{2,}|\b(?:webhook|endpoint|server|url)\b/i.test(text.slice(from, sentenceEndAfter(text, m.end)));
    default:
      return true;
  }
}

function lineOrSentenceStart(text: string, offset: number): number {
  for (let i = offset - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === '\n') return i + 1;
    if ((ch === '.' || ch === '!' || ch === '?') && /\s/.test(text[i + 1] ?? '')) return i + 1;
  }
  return 0;
}

function sentenceEndAfter(text: string, offset: number): number {
  const m = /[.!?](?:\s|$)|\n/.exec(text.slice(offset));
  return m ? offset + m.index : text.length;
}

/**
 * The text the model reads, with offsets kept: in JSON, only the contents of strings (everything
 * else becomes line breaks, so each string is its own sentence, and `\n` escapes break lines);
 * in YAML (and Markdown front matter), the quotes around scalar values become spaces, so a quoted
 * value is not mistaken for a quoted example.
 */
function readable(ctx: RuleContext): string {
  const { text } = ctx;
  if (ctx.language === 'json') return jsonStrings(text);
  if (ctx.language === 'yaml') return unquoteYaml(text, 0, text.length);
  const front = /^---\r?\n[\s\S]*?\r?\n---\s*(?:\r?\n|$)/.exec(text);
  return front ? unquoteYaml(text, 0, front[0].length) : text;
}

function jsonStrings(text: string): string {
  const out = new Array<string>(text.length).fill('\n');
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') {
        if (text[i] === '\\' && i + 1 < text.length) {
          const e = text[i + 1];
          if (e === 'n' || e === 'r') {
            out[i] = ' ';
            out[i + 1] = '\n';
          } else if (e === 't') {
            out[i] = ' ';
            out[i + 1] = ' ';
          } else {
            out[i] = ' ';
            out[i + 1] = e;
          }
          i += 2;
          continue;
        }
        out[i] = text[i];
        i++;
      }
      i++;
    } else {
      i++;
    }
  }
  return out.join('');
}

function unquoteYaml(text: string, from: number, to: number): string {
  const head = text.slice(from, to).replace(/^(\s*(?:-\s+)?(?:[\w.-]+\s*:\s+)?)(["'])(.*)\2(\s*(?:#.*)?)$/gm, (_all, lead: string, _q: string, body: string, tail: string) => `${lead} ${body} ${tail}`);
  return text.slice(0, from) + head + text.slice(to);
}

/**
 * Fenced code blocks and blockquotes in Markdown that show examples (under a heading, or after a
 * lead-in line, that talks about examples, attacks or tests): quoted material, not instructions.
 */
function exampleBlocks(ctx: RuleContext, text: string): [number, number][] {
  if (ctx.language !== 'markdown') return [];
  const out: [number, number][] = [];
  let heading = '';
  let previous = '';
  let fence: { start: number; example: boolean } | undefined;
  let offset = 0;
  for (const raw of text.split('\n')) {
    const start = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, '');
    if (/^\s{0,3}(```|~~~)/.test(line)) {
      if (fence) {
        if (fence.example) out.push([fence.start, offset]);
        fence = undefined;
      } else {
        fence = { start, example: EXAMPLE_CONTEXT.test(heading) || EXAMPLE_CONTEXT.test(previous) };
      }
      continue;
    }
    if (fence) continue;
    const h = /^\s{0,3}#{1,6}\s+(.*)$/.exec(line);
    if (h) heading = h[1];
    if (/^\s*>/.test(line) && (EXAMPLE_CONTEXT.test(heading) || EXAMPLE_CONTEXT.test(previous))) {
      out.push([start, offset]);
      continue;
    }
    if (line.trim() !== '') previous = line;
  }
  if (fence?.example) out.push([fence.start, text.length]);
  return out;
}
