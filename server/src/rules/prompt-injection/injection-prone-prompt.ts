import type { Node } from 'web-tree-sitter';
import { stringValue } from '../../engine/facts/javascript';
import { defineRule, type Detection, type RuleContext, type TextDetection } from '../../engine/rule';
import { isPython, slotArguments } from '../llm';
import { AI_CODE, PROMPT_WORDS } from '../prefilters';

/** Names that hold prompt text. */
const PROMPT_NAME = /(prompt|instruction|system_?message|preamble|persona|template)s?$/i;
/** Shorter texts are labels or keys, not prompts. */
const MIN_LENGTH = 40;

interface State extends Detection {
  what: string;
}
interface FileState extends TextDetection {
  what: string;
}

/** A string literal's text and the file offset of its first character (escapes make this approximate). */
function literalText(ctx: RuleContext, node: Node): { text: string; base: number } | undefined {
  if (isPython(ctx)) {
    if (node.type !== 'string' && node.type !== 'concatenated_string') return undefined;
    const value = ctx.python.literal(node)?.value;
    const content = node.type === 'string' ? node.namedChildren.find((c) => c?.type === 'string_content') : undefined;
    return typeof value === 'string' ? { text: value, base: content?.startIndex ?? node.startIndex } : undefined;
  }
  const value = stringValue(node) ?? (node.type === 'template_string' ? node.text.slice(1, -1) : undefined);
  return value !== undefined ? { text: value, base: node.startIndex + 1 } : undefined;
}

function candidate(ctx: RuleContext, value: Node | undefined, what: string): State | undefined {
  if (!value) return undefined;
  const definition = isPython(ctx) ? ctx.python.definition(value) : ctx.javascript.definition(value);
  const literal = literalText(ctx, definition);
  if (!literal || literal.text.trim().length < MIN_LENGTH) return undefined;
  return { node: definition, what, classify: literal };
}

const FILE_KINDS = { prompt: 'prompt template', rules: 'agent instruction file' } as const;

export default defineRule<State | FileState>({
  meta: {
    id: 'injection-prone-prompt',
    group: 'prompt-injection',
    title: 'Prompt text that the local classifier scores as a likely injection',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [1427, 77],
    owasp: ['LLM01'],
    confidence: 'medium',
    references: [
      'https://genai.owasp.org/llmrisk/llm01-prompt-injection/',
      'https://cwe.mitre.org/data/definitions/1427.html',
      'https://arxiv.org/abs/2302.12173',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx', 'markdown', 'text', 'yaml', 'json'],
  requires: [AI_CODE, PROMPT_WORDS],
  check({ captures: { call, name, value } }, ctx) {
    if (call) {
      return slotArguments(ctx, call)
        .filter((s) => s.kind !== 'messages')
        .map((s) => candidate(ctx, s.node, s.kind === 'system' ? 'system prompt' : s.kind === 'template' ? 'prompt template' : 'prompt'))
        .filter((c): c is State => !!c);
    }
    if (name && value && PROMPT_NAME.test(name.text)) return candidate(ctx, value, `\`${name.text}\``);
    return undefined;
  },
  checkFile(ctx) {
    // Whole prompt templates and agent instruction files; code is handled by `check`.
    const kind = ctx.kinds.has('rules') ? 'rules' : ctx.kinds.has('prompt') && !ctx.kinds.has('code') ? 'prompt' : undefined;
    if (!kind || ctx.text.trim().length < MIN_LENGTH) return undefined;
    // Front matter and leading comments are metadata, not the prompt: score what follows them.
    const base = /^(?:\s|<!--[\s\S]*?-->|---\r?\n[\s\S]*?\r?\n---\r?\n)*/.exec(ctx.text)?.[0].length ?? 0;
    return { range: { start: base, end: Math.min(ctx.text.length, base + 1) }, what: FILE_KINDS[kind], classify: { text: ctx.text.slice(base), base } };
  },
  message(s) {
    const score = (s.score ?? 0).toFixed(2);
    return `This ${s.what} reads like a prompt-injection or jailbreak attempt (classifier score ${score}; the underlined span scored highest). If it came from outside the project, treat it as an attack; if it is yours, reword the part that looks like one.`;
  },
});
