import type { Node } from 'web-tree-sitter';
import { defineRule, type RuleContext } from '../../engine/rule';
import type { TaintQuery } from '../../engine/taint/types';
import type { Fix, TextEdit } from '../../engine/types';
import { dottedCallee, fromSource, isPython, roleMessage, slotArguments, taintedAt, type TaintedValue } from '../llm';
import { elementsOf, insertElement, interpolatedString, isListLiteral, tagFor, uniqueTags } from '../prompt-edits';
import { ensureFromImport } from '../python-edits';
import { isWithin } from '../python-edits';
import { AI_CODE } from '../prefilters';

// A number cannot carry instructions; anything textual can, even JSON-encoded or escaped.
const QUERY: TaintQuery = { labels: ['untrusted'], sanitizers: ['number'] };

interface State extends TaintedValue {
  /** `message`: a role/content literal; `tuple`: a LangChain ("system", X) pair; `argument`: `system=`, `instructions=`, `SystemMessage(X)`… */
  shape: 'message' | 'tuple' | 'argument';
  /** The message literal, or the call the argument belongs to. */
  holder: Node;
  where: string;
}

function definitionOf(ctx: RuleContext, node: Node): Node {
  return isPython(ctx) ? ctx.python.definition(node) : ctx.javascript.definition(node);
}

function detect(ctx: RuleContext, value: Node, shape: State['shape'], holder: Node, where: string): State | undefined {
  const found = taintedAt(ctx, value, QUERY);
  return found && { ...found, shape, holder, where };
}

function systemInstruction(dict: Node): Node | undefined {
  for (const pair of dict.namedChildren) {
    const key = pair?.type === 'pair' ? pair.childForFieldName('key') : null;
    if (key && /^["']?(system_instruction|systemInstruction)["']?$/.test(key.text)) return pair!.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

export default defineRule<State>({
  meta: {
    id: 'untrusted-input-in-system-prompt',
    group: 'prompt-injection',
    title: 'Untrusted text is placed in the system prompt',
    severity: 'error',
    status: 'stable',
    fix: 'unsafe',
    cwe: [77, 1427],
    owasp: ['LLM01', 'LLM07'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm01-prompt-injection/',
      'https://genai.owasp.org/llmrisk/llm072025-system-prompt-leakage/',
      'https://cwe.mitre.org/data/definitions/1427.html',
      'https://platform.openai.com/docs/guides/text#message-roles-and-instruction-following',
      'https://docs.anthropic.com/en/docs/build-with-claude/prompt-engineering/use-xml-tags',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { call, message } }, ctx) {
    if (message) {
      // `("system", X)` pairs are messages only inside a message list: they are checked from the call.
      const m = roleMessage(ctx, message);
      if (m?.role === 'system' && message.type !== 'tuple' && message.type !== 'array') return detect(ctx, m.content, 'message', message, 'a system message');
      // Gemini's request config as a literal (`config={"system_instruction": X}`, `config: { systemInstruction: X }`):
      // the SDK tables describe arguments, not keys of a nested dict, and the key name is Gemini's alone.
      const instruction = systemInstruction(message);
      return instruction && detect(ctx, instruction, 'argument', message, 'a Gemini `system_instruction`');
    }
    if (!call) return undefined;
    const out: State[] = [];
    const callee = dottedCallee(call).replace(/^.*?([\w$]+(\.[\w$]+)?)$/, '$1');
    for (const arg of slotArguments(ctx, call)) {
      if (arg.kind === 'system') {
        const found = detect(ctx, arg.node, 'argument', call, arg.slot.name ? `the \`${arg.slot.name}\` of \`${callee}\`` : `\`${callee}\``);
        if (found) out.push(found);
      } else if (arg.kind === 'messages' || arg.kind === 'prompt') {
        const list = definitionOf(ctx, arg.node);
        if (!isListLiteral(list)) continue;
        for (const element of elementsOf(list)) {
          if (element.type !== 'tuple' && element.type !== 'array') continue;
          const m = roleMessage(ctx, element);
          const found = m?.role === 'system' ? detect(ctx, m.content, 'tuple', element, `a ("system", …) message of \`${callee}\``) : undefined;
          if (found) out.push(found);
        }
      }
    }
    return out;
  },
  message(s) {
    return `Untrusted text ${fromSource(s.path)} reaches the system prompt (${s.where}). The system prompt carries your authority: text there that says "ignore the rules above" or "reveal your instructions" is obeyed. Keep the system prompt constant and pass this text in a user message, inside delimiters.`;
  },
  fixes(s, ctx): Fix[] {
    const split = splitSystemText(ctx, s.value);
    if (!split) return [];
    const edits = s.shape === 'argument' ? moveArgument(ctx, s, split) : moveMessage(ctx, s, split);
    if (!edits) return [];
    return [{ title: 'Keep the system prompt constant; pass the untrusted text in a delimited user message', applicability: 'unsafe', edits }];
  },
});

interface Split {
  /** The system text with each untrusted interpolation replaced by a reference to its tag. */
  system: string;
  /** A string literal with the untrusted values, each in `<tag>…</tag>`. */
  user: string;
}

/**
 * `f"Answer as {persona}. Context: {docs}"` (docs untrusted) becomes the system text
 * `f"Answer as {persona}. Context: <docs>"` and the user text `f"<docs>{docs}</docs>"`. A
 * Python f-string left without interpolations becomes a plain string (`{{` unescaped).
 */
function splitSystemText(ctx: RuleContext, value: Node): Split | undefined {
  const str = interpolatedString(value);
  if (!str) return undefined;
  const untrusted = str.pieces.filter((p): p is Extract<typeof p, { kind: 'value' }> => p.kind === 'value' && !!ctx.taint.taintOf(p.expression, QUERY));
  if (untrusted.length === 0) return undefined;
  const tags = uniqueTags(untrusted.map((p) => tagFor(p.expression, 'context')));
  let body = '';
  let kept = 0;
  const moved: string[] = [];
  for (const piece of str.pieces) {
    if (piece.kind === 'text') body += piece.node.text;
    else {
      const at = untrusted.indexOf(piece);
      if (at < 0) {
        body += piece.holder.text;
        kept++;
      } else {
        body += `<${tags[at]}>`;
        moved.push(`<${tags[at]}>${piece.holder.text}</${tags[at]}>`);
      }
    }
  }
  if (!isPython(ctx)) return { system: `\`${body}\``, user: `\`${moved.join('\\n')}\`` };
  const prefix = /^[a-zA-Z]*/.exec(str.open.text)![0];
  const quote = str.open.text.slice(prefix.length);
  const system = kept > 0 ? `${prefix}${quote}${body}${str.close.text}` : `${prefix.replace(/f/i, '')}${quote}${body.replace(/\{\{/g, '{').replace(/\}\}/g, '}')}${str.close.text}`;
  return { system, user: `f${quote}${moved.join('\\n')}${str.close.text}` };
}

/** The quote character a message literal uses for its role, for a new message in the same style. */
function quoteOf(node: Node | undefined, fallback: string): string {
  const text = node?.type === 'string' ? node.text.replace(/^[a-zA-Z]+/, '') : '';
  return text[0] === '"' || text[0] === "'" ? text[0] : fallback;
}

/** A user message in the style of `like` (a message literal) or of the language. */
function userMessage(ctx: RuleContext, like: Node | undefined, content: string, defaultQuote = isPython(ctx) ? '"' : "'"): string {
  let roleKey = isPython(ctx) ? '"role"' : 'role';
  let contentKey = isPython(ctx) ? '"content"' : 'content';
  let quote = defaultQuote;
  for (const pair of like && (like.type === 'dictionary' || like.type === 'object') ? like.namedChildren : []) {
    const key = pair?.type === 'pair' ? pair.childForFieldName('key') : null;
    const name = key?.text.replace(/^["']|["']$/g, '');
    if (key && name === 'role') {
      roleKey = key.text;
      quote = quoteOf(pair!.childForFieldName('value') ?? undefined, quote);
    } else if (key && name === 'content') contentKey = key.text;
  }
  return isPython(ctx) ? `{${roleKey}: ${quote}user${quote}, ${contentKey}: ${content}}` : `{ ${roleKey}: ${quote}user${quote}, ${contentKey}: ${content} }`;
}

/** A message literal in a list: the constant system text stays, a delimited user message follows it. */
function moveMessage(ctx: RuleContext, s: State, split: Split): TextEdit[] | undefined {
  const list = s.holder.parent;
  if (!isListLiteral(list)) return undefined;
  const index = elementsOf(list).findIndex((e) => e.id === s.holder.id) + 1;
  const replace: TextEdit = { start: s.value.startIndex, end: s.value.endIndex, newText: split.system };
  if (s.shape === 'message') {
    if (s.value.parent?.type !== 'pair') return undefined;
    return [replace, ...insertElement(list, ctx.text, index, userMessage(ctx, s.holder, split.user))];
  }
  // LangChain reads a ("human", text) pair as a template, so braces in the untrusted text would be
  // parsed as variables; a HumanMessage is passed through as it is.
  if (!isPython(ctx)) return undefined;
  return [replace, ...insertElement(list, ctx.text, index, `HumanMessage(content=${split.user})`), ...ensureFromImport(ctx, 'langchain_core.messages', 'HumanMessage')];
}

/**
 * A `system` argument of a call that also takes a message list (Anthropic `system=`, the Vercel
 * AI SDK's and Anthropic's `system:`): the untrusted part goes into a user message at the start
 * of the list literal, or (Vercel `prompt:`) the prompt becomes a message list.
 */
function moveArgument(ctx: RuleContext, s: State, split: Split): TextEdit[] | undefined {
  const argument = s.value.parent;
  const replace: TextEdit = { start: s.value.startIndex, end: s.value.endIndex, newText: split.system };
  if (isPython(ctx)) {
    if (argument?.type !== 'keyword_argument' || argument.childForFieldName('name')?.text !== 'system') return undefined;
    const messages = ctx.python.argument(s.holder, 'messages');
    if (!isListLiteral(messages) || !isWithin(messages, s.holder)) return undefined;
    const first = elementsOf(messages)[0];
    return [replace, ...insertElement(messages, ctx.text, 0, userMessage(ctx, first, split.user))];
  }
  const options = argument?.parent;
  if (argument?.type !== 'pair' || options?.type !== 'object' || options.parent?.parent?.id !== s.holder.id) return undefined;
  if (argument.childForFieldName('key')?.text.replace(/["']/g, '') !== 'system') return undefined;
  const member = (name: string) => options.namedChildren.find((m) => (m?.type === 'pair' && m.childForFieldName('key')?.text.replace(/["']/g, '') === name) || (m?.type === 'shorthand_property_identifier' && m.text === name)) ?? undefined;
  const quote = quoteOf(options.descendantsOfType('string').find((n): n is Node => !!n), "'");
  const messages = member('messages');
  const list = messages?.type === 'pair' ? messages.childForFieldName('value') : undefined;
  if (isListLiteral(list)) {
    // After any leading system messages, before the conversation.
    const items = elementsOf(list);
    const at = items.findIndex((m) => roleMessage(ctx, m)?.role !== 'system');
    return [replace, ...insertElement(list, ctx.text, at < 0 ? items.length : at, userMessage(ctx, items[0], split.user, quote))];
  }
  const prompt = member('prompt');
  if (messages || !prompt) return undefined;
  const value = prompt.type === 'pair' ? prompt.childForFieldName('value') : prompt;
  if (!value || value.type === 'array') return undefined;
  const newText = `messages: [${userMessage(ctx, undefined, split.user, quote)}, ${userMessage(ctx, undefined, value.text, quote)}]`;
  return [replace, { start: prompt.startIndex, end: prompt.endIndex, newText }];
}
