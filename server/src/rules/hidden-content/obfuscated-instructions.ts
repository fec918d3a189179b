import { defineRule, type TextDetection } from '../../engine/rule';
import type { Fix, TextEdit } from '../../engine/types';
import { truncate } from '../unicode';

type Kind = 'comment' | 'base64' | 'ansi' | 'beacon' | 'include';

interface State extends TextDetection {
  kind: Kind;
  /** What the reader does not see: the comment's text, the decoded blob, the codes' effects, the URL. */
  detail: string;
  /** ANSI sequences to delete. */
  sequences?: TextEdit[];
}

// ---------------------------------------------------------------------------------------------
// HTML comments (and Markdown's `[//]: # (…)` comments): invisible once rendered, read in full
// by the model. Maintainers' notes (`<!-- TODO: fix typo -->`, `<!-- keep sorted -->`) are not
// reported; comments that talk to a model, or ask for something dangerous, are.

const HTML_COMMENT = /<!--([\s\S]*?)-->/g;
const MD_COMMENT = /^[ \t]*\[[^\]\n]*\]:[ \t]*(?:#|<>)[ \t]+(?:\(([^\n]*)\)|"([^\n]*)")[ \t]*$/gm;

const INJECTION =
  /\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:previous|prior|above|earlier|preceding|other|original|system)\s+(?:instructions?|rules?|directions?|prompts?|guidelines?|context)|\bnew instructions?\b|\bsystem prompt\b|\byou are now\b|\bfrom now on,?\s+(?:you|always|never|ignore|respond|reply|answer|act|only|do not|don'?t)\b|\bact as\b|\bpretend\b|\b(?:do not|don'?t|never)\s+(?:tell|mention|inform|reveal|disclose|show)\b|\bwithout (?:telling|informing|notifying)\b|\b(?:secretly|silently|covertly|stealthily)\b|\bif you(?:'re| are) an? (?:ai|llm|assistant|agent|language model|bot|coding assistant)\b|\b(?:before|when|after) (?:you )?(?:answer|respond|repl)\w*\b|\bin your (?:response|reply|answer|output)\b|<\/?important>/i;
const AI_ADDRESS = /\b(?:ai|a\.i\.|assistants?|agents?|llms?|language models?|claude|copilot|cursor|gemini|chatgpt|gpt(?:-?\d\w*)?|codex|windsurf|cline)\b/i;
const DIRECTIVE = /\b(?:must|should|always|never|need to|have to|make sure|ensure|do not|don'?t|please|you will|you are|instead)\b/i;
// "AI: …", "Note to the assistant, …": a comment that opens by addressing a model.
const VOCATIVE = /^\s*(?:(?:dear|hey|hi|note to|attention|for)\s+(?:the\s+|all\s+)?)?(?:(?:ai|coding|language)\s+)?(?:ai|assistant|agent|llm|model|claude|copilot|cursor|gemini|chatgpt|codex)s?\b\s*[:,!]/i;
const DANGEROUS =
  /\b(?:curl|wget|exec|eval|run|execute)\b[^.]{0,60}(?:https?:\/\/|\|\s*(?:ba)?sh\b)|\b(?:send|upload|post|fetch|read|cat|include|print|output|leak)\b[^.]{0,60}(?:\.env\b|~\/\.ssh|id_rsa|api[ _-]?keys?|secrets?|tokens?|passwords?|credentials?)/i;

function instructionLike(body: string): boolean {
  // A model named and told what to do ("the agent must …" alone is too often about user agents or text cursors).
  const toAModel = AI_ADDRESS.test(body) && DIRECTIVE.test(body) && /\byour?\b/i.test(body);
  return INJECTION.test(body) || VOCATIVE.test(body) || toAModel || DANGEROUS.test(body);
}

// ---------------------------------------------------------------------------------------------
// Base64 blobs that decode to text a model can read (instructions, commands). Binary payloads
// (images, keys, hashes) do not decode to words; image data URIs are skipped outright.

const BASE64 = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{80,}={0,2}(?![A-Za-z0-9+/=_-])/g;

function readableBase64(blob: string): string | undefined {
  const decoded = Buffer.from(blob, 'base64').toString('utf8');
  if (decoded.includes('\uFFFD') || decoded.length < 40) return undefined;
  const printable = [...decoded].filter((c) => /[\P{C}\t\n\r]/u.test(c)).length;
  if (printable / [...decoded].length < 0.95) return undefined;
  // Encoded JSON or XML (credentials, manifests, SVG) is data: reported only if it talks to a model.
  if (/^\s*[[{<]/.test(decoded)) return instructionLike(decoded) ? decoded : undefined;
  return /[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}/.test(decoded) || /\b(?:curl|wget|bash|eval|exec|import|require|powershell)\b|https?:\/\//.test(decoded) ? decoded : undefined;
}

// ---------------------------------------------------------------------------------------------
// ANSI escape sequences: a terminal that shows the text hides, recolours or overwrites parts of it.
// Raw ESC / C1 CSI anywhere; in JSON, YAML and TOML strings also the escapes that decode to ESC.

const RAW_ANSI = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]/g;
const ESCAPED_ANSI = /(?:\\u001[bB]|\\x1[bB]|\\033|\\e)(?:\[[0-?]*[ -/]*[@-~]|\][^"\n]*?(?:\\u0007|\\x07|\\a|(?:\\u001[bB]|\\x1[bB]|\\033|\\e)\\\\))/g;

function ansiEffect(seq: string): string {
  const body = seq.replace(/^(?:\x1b|\x9b|\\u001[bB]|\\x1[bB]|\\033|\\e)/, '');
  if (body.startsWith(']')) return /^\]8;/.test(body) ? 'a hidden hyperlink' : 'a terminal title change';
  const final = body.slice(-1);
  const params = body.slice(1, -1);
  if (final === 'm') return /(?:^|;)8(?:;|$)/.test(params) ? 'concealed text' : 'colours';
  if ('ABCDEFGHfdsu'.includes(final)) return 'cursor movement';
  if (final === 'K' || final === 'J') return 'erased text';
  return 'terminal control';
}

// ---------------------------------------------------------------------------------------------
// Markdown images with placeholders in the URL: when a chat client renders the model's answer,
// the image request itself carries whatever the model put into the placeholder.

const MD_IMAGE = /!\[[^\]\n]*\]\(\s*<?(https?:\/\/[^\s)>]+)/gi;
const HTML_IMAGE = /<img\b[^>]*?\bsrc\s*=\s*["']?(https?:\/\/[^\s"'>]+)/gi;
const PLACEHOLDER = /\{\{?[^{}\s]{1,60}\}\}?|\$\{[^}]+\}|\$[A-Za-z_][A-Za-z0-9_]*|%7[bB][^%\s]{1,60}%7[dD]|<[A-Za-z_][\w ]{0,40}>|\[[A-Z_][A-Z0-9_ ]{1,40}\]|%s\b|\bINSERT_\w+|\bPLACEHOLDER\b/;

// ---------------------------------------------------------------------------------------------
// Directives that pull remote text into the model's context at use time.

const REMOTE_INCLUDES: RegExp[] = [
  /(?:^|[\s(>])(@https?:\/\/[^\s)`'"]+)/gm,
  /!include\s+['"]?https?:\/\/[^\s'"]+/gi,
  /\{%-?\s*(?:include|import|extends|from)\s+['"]https?:\/\/[^'"]+['"]/gi,
  /\{\{>\s*['"]?https?:\/\/[^}\s'"]+/gi,
  /--8<--\s*["']?https?:\/\/[^\s"']+/gi,
  /\{\{\s*(?:include|import|read|fetch|load|http_get)\s*\(\s*['"]https?:\/\/[^'"]+['"]/gi,
  // `(?:-[ \t]*)?`, not `-?[ \t]*`: two adjacent `[ \t]*` backtrack quadratically on a line of blanks.
  /^[ \t]*(?:-[ \t]*)?(?:include|import|extends)[ \t]*:[ \t]*['"]?https?:\/\/[^\s'"]+/gim,
];

/** Whether the backslash starting at `i` is itself escaped (preceded by an odd number of backslashes). */
function escapedBackslash(text: string, i: number): boolean {
  let n = 0;
  while (i - n - 1 >= 0 && text[i - n - 1] === '\\') n++;
  return n % 2 === 1;
}

export default defineRule<State>({
  meta: {
    id: 'obfuscated-instructions',
    group: 'hidden-content',
    title: 'Instructions hidden from human readers: comments, encodings, terminal codes, beacons, remote includes',
    severity: 'warning',
    status: 'stable',
    fix: 'safe',
    cwe: [1427, 116],
    owasp: ['LLM01'],
    confidence: 'medium',
    references: [
      'https://genai.owasp.org/llmrisk/llm01-prompt-injection/',
      'https://cwe.mitre.org/data/definitions/1427.html',
      'https://cwe.mitre.org/data/definitions/116.html',
      'https://modelcontextprotocol.io/specification/2025-06-18/server/tools#security-considerations',
      'https://en.wikipedia.org/wiki/ANSI_escape_code',
    ],
  },
  languages: ['markdown', 'text', 'json', 'yaml', 'toml'],
  fileKinds: ['rules', 'prompt', 'mcp'],
  checkFile(ctx) {
    const text = ctx.text;
    const found: State[] = [];
    const covered: [number, number][] = [];
    const add = (s: State) => {
      found.push(s);
      covered.push([s.range.start, s.range.end]);
    };
    const inside = (start: number, end: number) => covered.some(([a, b]) => start >= a && end <= b);

    if (text.includes('<!--')) {
      for (const m of text.matchAll(HTML_COMMENT)) {
        if (instructionLike(m[1])) add({ range: { start: m.index!, end: m.index! + m[0].length }, kind: 'comment', detail: m[1].trim() });
      }
    }
    if (text.includes(']:')) {
      for (const m of text.matchAll(MD_COMMENT)) {
        const body = m[1] ?? m[2] ?? '';
        const start = m.index! + m[0].length - m[0].trimStart().length;
        if (instructionLike(body)) add({ range: { start, end: m.index! + m[0].length }, kind: 'comment', detail: body.trim() });
      }
    }

    for (const m of text.matchAll(BASE64)) {
      const start = m.index!;
      if (/data:image\/[\w.+-]+;base64,$/i.test(text.slice(Math.max(0, start - 40), start))) continue;
      const decoded = readableBase64(m[0]);
      if (decoded) add({ range: { start, end: start + m[0].length }, kind: 'base64', detail: decoded });
    }

    // ANSI: one finding per line, deleting each sequence.
    const sequences: TextEdit[] = [];
    if (/[\x1b\x9b]/.test(text)) for (const m of text.matchAll(RAW_ANSI)) sequences.push({ start: m.index!, end: m.index! + m[0].length, newText: '' });
    if (ctx.language !== 'markdown' && ctx.language !== 'text' && /\\(?:u001[bB]|x1[bB]|033|e)/.test(text)) {
      for (const m of text.matchAll(ESCAPED_ANSI)) if (!escapedBackslash(text, m.index!)) sequences.push({ start: m.index!, end: m.index! + m[0].length, newText: '' });
    }
    sequences.sort((a, b) => a.start - b.start);
    const byLine = new Map<number, TextEdit[]>();
    for (const e of sequences) {
      const line = ctx.lines.positionAt(e.start).line;
      byLine.set(line, [...(byLine.get(line) ?? []), e]);
    }
    for (const list of byLine.values()) {
      const effects = [...new Set(list.map((e) => ansiEffect(text.slice(e.start, e.end))))].join(', ');
      add({ range: { start: list[0].start, end: list[list.length - 1].end }, kind: 'ansi', detail: effects, sequences: list });
    }

    // HTML templates (.jinja, .hbs, .mustache are prompt files by extension) build <img> URLs from
    // variables all the time; there only Markdown images, which a chat client renders, count.
    for (const re of ctx.language === 'text' ? [MD_IMAGE] : [MD_IMAGE, HTML_IMAGE]) {
      for (const m of text.matchAll(re)) {
        if (PLACEHOLDER.test(m[1])) add({ range: { start: m.index!, end: m.index! + m[0].length }, kind: 'beacon', detail: m[1] });
      }
    }

    for (const re of REMOTE_INCLUDES) {
      for (const m of text.matchAll(re)) {
        const token = m[1] ?? m[0].trim();
        const start = m.index! + m[0].indexOf(token);
        if (!inside(start, start + token.length)) add({ range: { start, end: start + token.length }, kind: 'include', detail: token });
      }
    }
    return found;
  },
  message(s) {
    switch (s.kind) {
      case 'comment':
        return `This comment hides an instruction from anyone reading the rendered file, but the model reads it: "${truncate(s.detail.replace(/\s+/g, ' '), 120)}". Instructions for an agent belong in visible text where reviewers see them; delete it if nobody on the team wrote it.`;
      case 'base64':
        return `This base64 blob decodes to readable text the model can decode and follow, while reviewers see noise: "${truncate(s.detail.replace(/\s+/g, ' '), 120)}". Write instructions in plain text, or remove the blob.`;
      case 'ansi':
        return `ANSI escape sequences (${s.detail}) change what a terminal shows: text here can be hidden or overwritten for the person reading it, but not for the model. Remove them.`;
      case 'beacon':
        return `This Markdown image URL has a placeholder (${truncate(s.detail, 100)}): when a model fills it in and a client renders the image, the request sends that data to the image's host. Do not ask models to build image URLs from data; serve images from fixed URLs.`;
      case 'include':
        return `${truncate(s.detail, 100)} pulls remote text into the model's context each time it is used: whoever controls that address can change the instructions without touching this repository. Vendor a reviewed copy instead.`;
    }
  },
  fixes(s, ctx): Fix[] {
    if (s.kind === 'ansi' && s.sequences) return [{ title: 'Remove the ANSI escape sequences', applicability: 'safe', edits: s.sequences }];
    if (s.kind !== 'comment') return [];
    const { start, end } = s.range;
    const text = ctx.text;
    // A comment alone on its line goes with its line break, so no blank line is left behind.
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    let lineEnd = text.indexOf('\n', end);
    if (lineEnd < 0) lineEnd = text.length;
    const alone = text.slice(lineStart, start).trim() === '' && text.slice(end, lineEnd).trim() === '';
    // Inline, the spaces before it go too when nothing but a line end, a quote or a space follows.
    let from = start;
    if (/^[\s"'`)\]]?$/.test(text.charAt(end))) while (from > lineStart && /[ \t]/.test(text[from - 1])) from--;
    const deletion = alone ? { start: lineStart, end: Math.min(lineEnd + 1, text.length), newText: '' } : { start: from, end, newText: '' };
    return [
      // Deleting changes only what the model reads, which is the point: the reviewer never saw it.
      { title: 'Delete the hidden comment', applicability: 'safe', edits: [deletion] },
      { title: 'Keep the instruction as visible text', applicability: 'unsafe', edits: [{ start, end, newText: s.detail }] },
    ];
  },
});
