import type { Node } from 'web-tree-sitter';
import { defineRule, type Detection, type RuleContext } from '../../engine/rule';
import { descendantsOfType, objectMember, toolHandlers } from '../agent-tools';
import { calleeName, isPython } from '../llm';
import { decodeEscapes, describeHidden, findHiddenCharacters, findInjectionPhrases, suppressionReason, type HiddenRun, type PhraseMatch } from '../injection-phrases';
import { AI_CODE } from '../prefilters';

/** Where a piece of model-facing text sits, for messages. */
type Place = 'description' | 'docstring' | 'parameter description' | 'schema description';

interface Description {
  node: Node;
  text: string;
  place: Place;
  tool: string;
}

interface Problem {
  /** "tells the model to ignore its instructions", "hides Unicode tag characters spelling …". */
  what: string;
  /** The offending words, as written (empty for invisible characters). */
  quote: string;
}

interface State extends Detection {
  description: Description;
  problems: Problem[];
}

const PY_TOOL_TYPE = /^mcp\.types\.Tool$/;
const PY_ADD_TOOL = /^(mcp\.server\.fastmcp(\.server)?|fastmcp(\.server)?)\.FastMCP\(\)\.add_tool$/;
const PY_FIELD = /^(pydantic\.Field|pydantic\.fields\.Field)$/;
/** Imperatives and conditions that turn a mention of a tool into an instruction about it. */
const CROSS_TOOL_CUE = /\b(?:must|always|never|instead|before|after|first|whenever|do\s+not|don'?t|also|only\s+use|replace[sd]?)\b/i;

export default defineRule<State>({
  meta: {
    id: 'mcp-tool-poisoning',
    group: 'agency',
    title: 'MCP tool description carries instructions for the model (tool poisoning)',
    severity: 'error',
    status: 'stable',
    fix: 'none',
    cwe: [1427],
    owasp: ['LLM01', 'LLM06'],
    confidence: 'high',
    references: [
      'https://invariantlabs.ai/blog/mcp-security-notification-tool-poisoning-attacks',
      'https://modelcontextprotocol.io/specification/2025-06-18/server/tools#security-considerations',
      'https://genai.owasp.org/llmrisk/llm012025-prompt-injection/',
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
      'https://cwe.mitre.org/data/definitions/1427.html',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { file } }, ctx) {
    if (!file || file.parent) return undefined;
    // Cheap text test first: only MCP servers have tool descriptions to read.
    if (!(isPython(ctx) ? /mcp/i : /modelcontextprotocol|McpServer|\b(server|mcp|mcpServer)\s*\.\s*(tool|registerTool)\s*\(/).test(ctx.text)) return undefined;
    const descriptions = isPython(ctx) ? pythonDescriptions(ctx) : javascriptDescriptions(ctx);
    if (descriptions.length === 0) return undefined;
    // This server's own tools: handlers and described tools (a low-level tool list has no handlers).
    const names = new Set([...toolHandlers(ctx).filter((h) => h.framework === 'mcp').map((h) => h.name), ...descriptions.map((d) => d.tool)]);
    const out: State[] = [];
    const seen = new Set<number>();
    for (const d of descriptions) {
      if (seen.has(d.node.id)) continue;
      seen.add(d.node.id);
      const phrases = findInjectionPhrases(d.text).filter((m) => !aboutOwnTools(d, m, names));
      const problems = [...hiddenProblems(findHiddenCharacters(d.text)), ...phraseProblems(phrases), ...crossToolProblems(d, names)];
      if (problems.length > 0) out.push({ node: d.node, description: d, problems });
    }
    return out;
  },
  message(s) {
    const [first] = s.problems;
    const quote = first.quote ? ` (“${short(first.quote)}”)` : '';
    const more = s.problems.length > 1 ? ` It has ${s.problems.length - 1} more such passage${s.problems.length > 2 ? 's' : ''}.` : '';
    return `The ${s.description.place} of MCP tool \`${s.description.tool}\` ${first.what}${quote}. Clients show the model every tool description of every connected server, usually without showing it to the user: text like this steers the agent — to read files, leak data or misuse other servers' tools — the moment the server is connected.${more} Describe only what the tool does.`;
  },
});

/** Tag-character runs first: they carry a readable hidden message, which the message shows. */
function hiddenProblems(runs: HiddenRun[]): Problem[] {
  const ordered = [...runs.filter((r) => r.kind === 'tag'), ...runs.filter((r) => r.kind !== 'tag')];
  return ordered.slice(0, 3).map((r) => ({ what: `hides ${describeHidden(r)}`, quote: '' }));
}

function phraseProblems(matches: PhraseMatch[]): Problem[] {
  return matches.map((m) => ({ what: m.family.meaning, quote: m.text }));
}

/**
 * Instructions about a tool this server does not define ("when the `send_email` tool is used,
 * always BCC …"): shadowing another server's tool. Tools of the same server are left alone, since
 * servers legitimately sequence their own tools ("call `resolve_id` before `get_docs`").
 */
function crossToolProblems(d: Description, own: Set<string>): Problem[] {
  const out: Problem[] = [];
  const mention = /(?:\b(?:the|a|any)\s+)?[`'"]?([A-Za-z][\w-]*)[`'"]?\s+tool\b|\btool\s+[`'"]([A-Za-z][\w-]*)[`'"]/g;
  for (let m = mention.exec(d.text); m; m = mention.exec(d.text)) {
    const name = m[1] ?? m[2];
    if (!name || own.has(name) || !distinctive(name)) continue;
    const sentence = sentenceAround(d.text, m.index, m.index + m[0].length);
    if (CROSS_TOOL_CUE.test(sentence) && !suppressionReason(d.text, m.index, m.index + m[0].length)) {
      out.push({ what: `gives instructions about \`${name}\`, a tool this server does not define`, quote: sentence.trim() });
      break;
    }
  }
  return out;
}

/** Priority claims that only sequence this server's own tools ("call this tool before `get_docs`") are workflow, not shadowing. */
function aboutOwnTools(d: Description, match: PhraseMatch, own: Set<string>): boolean {
  if (match.family.name !== 'tool-priority') return false;
  const sentence = sentenceAround(d.text, match.start, match.end);
  return [...own].some((name) => name !== d.tool && new RegExp(String.raw`(?<![\w-])${escapeRegExp(name)}(?![\w-])`).test(sentence));
}

/** The sentence around [start, end): up to `.`, `!` or `?` followed by a space, or a line break. */
function sentenceAround(text: string, start: number, end: number): string {
  const boundary = /[.!?]\s|\n/g;
  let from = 0;
  const head = text.slice(0, start);
  for (let b = boundary.exec(head); b; b = boundary.exec(head)) from = b.index + b[0].length;
  const tail = /[.!?](\s|$)|\n/.exec(text.slice(end));
  return text.slice(from, tail ? end + tail.index + 1 : text.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Names specific enough to be a reference when seen in prose: `send_email`, `readFile`, `get-user`. */
function distinctive(name: string): boolean {
  return /[_-]/.test(name) || /[a-z][A-Z]/.test(name);
}

// --- Text of string expressions -----------------------------------------------------------

/** The text of a string expression, escapes decoded (interpolations left out), following constants. */
function textOf(ctx: RuleContext, node: Node, depth = 0): string | undefined {
  if (depth > 6) return undefined;
  const n = isPython(ctx) ? ctx.python.definition(node) : ctx.javascript.definition(node);
  switch (n.type) {
    case 'string':
    case 'template_string': {
      // Python keeps escapes inside string_content (decoded unless the string is raw); JS has
      // escape_sequence siblings of the fragments.
      const raw = n.type === 'string' && /^[a-zA-Z]*[rR]/.test(n.text);
      let out = '';
      for (const c of n.namedChildren) {
        if (!c) continue;
        if (c.type === 'string_content') out += raw ? c.text : decodeEscapes(c.text);
        else if (c.type === 'string_fragment') out += c.text;
        else if (c.type === 'escape_sequence') out += decodeEscapes(c.text);
      }
      return out;
    }
    case 'concatenated_string':
      return n.namedChildren.map((c) => (c ? (textOf(ctx, c, depth + 1) ?? '') : '')).join('');
    case 'binary_operator':
    case 'binary_expression': {
      if (n.childForFieldName('operator')?.text !== '+') return undefined;
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      const l = left ? textOf(ctx, left, depth + 1) : undefined;
      const r = right ? textOf(ctx, right, depth + 1) : undefined;
      return l === undefined && r === undefined ? undefined : (l ?? '') + (r ?? '');
    }
    case 'parenthesized_expression':
      return n.namedChildren[0] ? textOf(ctx, n.namedChildren[0], depth + 1) : undefined;
    default:
      return undefined;
  }
}

function push(ctx: RuleContext, out: Description[], node: Node | undefined, place: Place, tool: string): void {
  if (!node) return;
  const text = textOf(ctx, node);
  if (text && text.trim()) out.push({ node, text, place, tool });
}

// --- Python: FastMCP decorators and add_tool, low-level `types.Tool(...)` --------------------

function pythonDescriptions(ctx: RuleContext): Description[] {
  const out: Description[] = [];
  for (const h of toolHandlers(ctx)) {
    // The low-level `@server.call_tool()` dispatcher's docstring is not shown to the model.
    if (h.framework !== 'mcp' || /\.call_tool\b/.test(h.registration.text)) continue;
    const options = h.options ?? (h.registration.type === 'call' ? h.registration : undefined);
    if (options) push(ctx, out, ctx.python.argument(options, 'description'), 'description', h.name);
    if (h.fn.type === 'function_definition') {
      const first = h.fn.childForFieldName('body')?.namedChildren.find((c) => c?.type !== 'comment');
      if (first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string') push(ctx, out, first.namedChildren[0], 'docstring', h.name);
      // `x: Annotated[str, Field(description=…)]` and `x: str = Field(description=…)`.
      const params = h.fn.childForFieldName('parameters');
      for (const call of params ? descendantsOfType(params, new Set(['call'])) : []) {
        if (PY_FIELD.test(calleeName(ctx, call) ?? '')) push(ctx, out, ctx.python.argument(call, 'description'), 'parameter description', h.name);
      }
    }
  }
  for (const call of descendantsOfType(ctx.tree.rootNode, new Set(['call']))) {
    const name = calleeName(ctx, call);
    if (!name) continue;
    if (PY_TOOL_TYPE.test(name)) {
      const toolName = ctx.python.argument(call, 'name');
      const label = (toolName && textOf(ctx, toolName)) || 'tool';
      push(ctx, out, ctx.python.argument(call, 'description'), 'description', label);
      const schema = ctx.python.argument(call, 'inputSchema') ?? ctx.python.argument(call, 'input_schema');
      if (schema) for (const v of schemaDescriptions(ctx, ctx.python.definition(schema))) push(ctx, out, v, 'schema description', label);
    } else if (PY_ADD_TOOL.test(name) && !toolHandlers(ctx).some((h) => h.registration.id === call.id)) {
      push(ctx, out, ctx.python.argument(call, 'description'), 'description', textOf(ctx, ctx.python.argument(call, 'name') ?? call) || 'tool');
    }
  }
  return out;
}

/** `"description": …` values anywhere in a JSON-schema dict/object literal. */
function schemaDescriptions(ctx: RuleContext, schema: Node): Node[] {
  const out: Node[] = [];
  for (const pair of descendantsOfType(schema, new Set(['pair']))) {
    const key = pair.childForFieldName('key');
    const keyText = key ? (textOf(ctx, key) ?? key.text) : undefined;
    const value = pair.childForFieldName('value');
    if (keyText === 'description' && value) out.push(value);
  }
  return out;
}

// --- JavaScript / TypeScript: McpServer.tool / registerTool, low-level tool lists -----------

function javascriptDescriptions(ctx: RuleContext): Description[] {
  const out: Description[] = [];
  const js = ctx.javascript;
  for (const h of toolHandlers(ctx)) {
    if (h.framework !== 'mcp' || h.registration.type !== 'call_expression') continue;
    const args = js.callArguments(h.registration);
    const schemaParts: Node[] = [];
    if (h.options) {
      // registerTool(name, { title, description, inputSchema, annotations }, handler)
      push(ctx, out, js.property(h.options, 'description'), 'description', h.name);
      push(ctx, out, js.property(h.options, 'title'), 'description', h.name);
      const input = js.property(h.options, 'inputSchema');
      if (input) schemaParts.push(input);
    } else {
      // tool(name, description?, schema?, annotations?, handler)
      for (const arg of args.slice(1, -1)) {
        const def = js.definition(arg);
        if (def.type === 'object' || def.type === 'call_expression') schemaParts.push(def);
        else push(ctx, out, arg, 'description', h.name);
      }
    }
    for (const part of schemaParts) for (const v of zodDescriptions(ctx, js.definition(part))) push(ctx, out, v, 'parameter description', h.name);
  }
  // Low-level servers list tools as `{ name, description, inputSchema }` objects.
  if (importsMcpSdk(ctx)) {
    for (const object of descendantsOfType(ctx.tree.rootNode, new Set(['object']))) {
      const name = objectMember(object, 'name');
      const description = objectMember(object, 'description');
      const schema = objectMember(object, 'inputSchema');
      if (!name || !description || !schema) continue;
      const label = textOf(ctx, name) || 'tool';
      push(ctx, out, description, 'description', label);
      for (const v of [...schemaDescriptions(ctx, js.definition(schema)), ...zodDescriptions(ctx, js.definition(schema))]) push(ctx, out, v, 'schema description', label);
    }
  }
  return out;
}

/** zod `.describe("…")` arguments and `description:` properties inside a schema expression. */
function zodDescriptions(ctx: RuleContext, schema: Node): Node[] {
  const out: Node[] = [];
  for (const call of descendantsOfType(schema, new Set(['call_expression']))) {
    const callee = call.childForFieldName('function');
    if (callee?.type === 'member_expression' && callee.childForFieldName('property')?.text === 'describe') {
      const arg = ctx.javascript.callArguments(call)[0];
      if (arg) out.push(arg);
    }
  }
  if (schema.type === 'object') out.push(...schemaDescriptions(ctx, schema));
  return out;
}

function importsMcpSdk(ctx: RuleContext): boolean {
  return /['"]@modelcontextprotocol\/sdk[/'"]/.test(ctx.text);
}

function short(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 90 ? `${flat.slice(0, 87)}…` : flat;
}
