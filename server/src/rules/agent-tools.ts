// Vocabulary shared by the excessive-agency rules: which functions are agent tools (the model
// chooses their arguments and when they run), how a tool was registered (the decorator or the
// registration call, where an approval gate would go), and small questions about expressions
// the rules ask alike in Python and JavaScript/TypeScript (a constant prefix, literal text,
// the calls in a function body).
//
// The taint analysis already treats the parameters of the common tool forms as model-chosen
// ('llm-output'); this module also knows the forms it does not (yet): Python tools registered by
// a call (`StructuredTool.from_function(func=f)`, `Tool(func=f)`, LlamaIndex
// `FunctionTool.from_defaults(fn=f)`, FastMCP `add_tool(f)`), tool classes (LangChain/CrewAI
// `BaseTool._run`, LangChain.js `StructuredTool._call`), JS handlers given by reference or as a
// method (`tool({ async execute(args) {…} })`), LangChain.js `DynamicStructuredTool`, and the
// low-level MCP `setRequestHandler(CallToolRequestSchema, …)`.
import { Query, type Language, type Node, type Tree } from 'web-tree-sitter';
import { stringValue } from '../engine/facts/javascript';
import type { RuleContext } from '../engine/rule';
import { isPython, resolveIn } from './llm';

export type ToolFramework =
  /** LangChain / LangGraph tools (`@tool`, `StructuredTool`, LangChain.js `tool()`). */
  | 'langchain'
  /** OpenAI Agents SDK (`@function_tool`, `@openai/agents` `tool()`): has `needs_approval` / `needsApproval`. */
  | 'openai-agents'
  /** Vercel AI SDK `tool({ execute })`: has `needsApproval` (AI SDK 6). */
  | 'ai-sdk'
  /** MCP servers (FastMCP, the low-level Server, the TypeScript SDK). */
  | 'mcp'
  /** LlamaIndex `FunctionTool`. */
  | 'llamaindex'
  /** CrewAI `BaseTool` subclasses. */
  | 'crewai';

export interface ToolHandler {
  /** The function that runs when the model calls the tool. */
  fn: Node;
  framework: ToolFramework;
  /** The tool's name as the model sees it (or the function's), for messages. */
  name: string;
  /** The decorator (Python) or the registering call. */
  registration: Node;
  /** JS: the options object of `tool({...})` / `registerTool(name, {...})`; Python: the decorator call, if called. */
  options?: Node;
}

const FUNCTION_TYPES = new Set([
  'function_definition', 'lambda',
  'function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'generator_function_declaration', 'generator_function',
]);

export function isFunction(node: Node): boolean {
  return FUNCTION_TYPES.has(node.type);
}

// Python decorators (resolved names) that make a function a tool.
const PY_DECORATORS: [RegExp, ToolFramework][] = [
  [/^langchain(_core|_community)?\.(tools|agents)(\.\w+)*\.tool$/, 'langchain'],
  [/^agents(\.\w+)*\.function_tool$/, 'openai-agents'],
  [/^(mcp\.server\.fastmcp(\.server)?|fastmcp(\.server)?)\.FastMCP\(\)\.tool$/, 'mcp'],
  [/^mcp\.server(\.lowlevel)?(\.server)?\.Server\(\)\.call_tool$/, 'mcp'],
];

// Python calls that register a function as a tool: [callee, keyword of the function, its position].
const PY_REGISTRATIONS: [RegExp, string, number, ToolFramework][] = [
  [/^langchain\w*\.(tools|agents)(\.\w+)*\.(StructuredTool|Tool)\.from_function$/, 'func', 0, 'langchain'],
  [/^langchain\w*\.(tools|agents)(\.\w+)*\.Tool$/, 'func', 1, 'langchain'],
  [/^llama_index\.core\.tools(\.\w+)*\.FunctionTool\.from_defaults$/, 'fn', 0, 'llamaindex'],
  [/^(mcp\.server\.fastmcp(\.server)?|fastmcp(\.server)?)\.FastMCP\(\)\.add_tool$/, 'fn', 0, 'mcp'],
];

// Base classes whose `_run`/`_arun` (Python) or `_call` (JS) methods run the tool.
const PY_TOOL_CLASSES: [RegExp, ToolFramework][] = [
  [/^langchain\w*\.tools(\.\w+)*\.(BaseTool|StructuredTool)$/, 'langchain'],
  [/^crewai(_tools)?(\.\w+)*\.BaseTool$/, 'crewai'],
];
const JS_TOOL_CLASS = /^(@langchain\/core\/tools|langchain\/tools)\.(StructuredTool|Tool)$/;

// JS calls (resolved names) whose function argument is a tool implementation.
const JS_OPTIONS_TOOL: [RegExp, ToolFramework][] = [
  [/^ai\.tool$/, 'ai-sdk'],
  [/^@openai\/agents(-core)?\.tool$/, 'openai-agents'],
];
const JS_LANGCHAIN_TOOL = /^(@langchain\/core\/tools|langchain\/tools)\.tool$/;
const JS_LANGCHAIN_CLASS = /^(@langchain\/core\/tools|langchain\/tools|@langchain\/community\/tools\/dynamic)\.(DynamicStructuredTool|DynamicTool)$/;
const JS_MCP_SERVER = /^@modelcontextprotocol\/sdk\/server\/(mcp|index)(\.js)?\.(McpServer|Server)\(\)\.(tool|registerTool)$/;
/** `server.tool(...)` on a server the resolver cannot follow (a parameter, `this.server`). */
const JS_MCP_FALLBACK = /(^|\.)(server|mcp|mcpServer)\.(tool|registerTool)$/;

const cache = new WeakMap<Tree, ToolHandler[]>();

/** Every tool handler in the file (computed once per tree). */
export function toolHandlers(ctx: RuleContext): ToolHandler[] {
  let found = cache.get(ctx.tree);
  if (!found) {
    // Every registration form spells "tool" somewhere (`@tool`, `function_tool`, `registerTool`,
    // `CallToolRequestSchema`, `FunctionTool`): files without it are skipped without a scan.
    found = !/tool/i.test(ctx.text) ? [] : isPython(ctx) ? pythonHandlers(ctx) : javascriptHandlers(ctx);
    cache.set(ctx.tree, found);
  }
  return found;
}

/** The tool handler a node is in (the nearest enclosing function that is one). */
export function enclosingToolHandler(ctx: RuleContext, node: Node): ToolHandler | undefined {
  const handlers = toolHandlers(ctx);
  if (handlers.length === 0) return undefined;
  for (let n: Node | null = node.parent; n; n = n.parent) {
    if (!isFunction(n)) continue;
    const h = handlers.find((x) => x.fn.id === n!.id);
    if (h) return h;
  }
  return undefined;
}

const typeQueries = new WeakMap<Language, Map<string, Query>>();

/** One query per language and set of node types, compiled once (matching runs inside WASM). */
function typeQuery(language: Language, types: readonly string[]): Query | undefined {
  const known = types.filter((t) => language.idForNodeType(t, true));
  if (known.length === 0) return undefined;
  const key = [...known].sort().join(' ');
  let byKey = typeQueries.get(language);
  if (!byKey) typeQueries.set(language, (byKey = new Map()));
  let query = byKey.get(key);
  if (!query) byKey.set(key, (query = new Query(language, `[${known.map((t) => `(${t})`).join(' ')}] @node`)));
  return query;
}

const typeIndexes = new WeakMap<Tree, Map<Query, { nodes: Node[]; starts: number[] }>>();

/** Every node a type query captures in the whole tree, in document order: one walk per tree and query. */
function typeIndex(tree: Tree, query: Query): { nodes: Node[]; starts: number[] } {
  let byQuery = typeIndexes.get(tree);
  if (!byQuery) typeIndexes.set(tree, (byQuery = new Map()));
  let index = byQuery.get(query);
  if (!index) {
    const nodes = query.captures(tree.rootNode).map((c) => c.node);
    byQuery.set(query, (index = { nodes, starts: nodes.map((n) => n.startIndex) }));
  }
  return index;
}

/**
 * Nodes of the given types in a subtree (the root included), in document order. With
 * `skipFunctions`, nodes inside functions nested in the subtree are left out (the root itself
 * may be a function). Rules ask this many times per file (every call, every tool body): the
 * whole tree is captured once per set of types and each subtree is a range of that list.
 */
export function descendantsOfType(root: Node, types: ReadonlySet<string>, skipFunctions = false): Node[] {
  const wanted = [...types];
  const query = typeQuery(root.tree.language, skipFunctions ? [...wanted, ...FUNCTION_TYPES] : wanted);
  if (!query) return [];
  const { nodes, starts } = typeIndex(root.tree, query);
  const found: Node[] = [];
  const nested: Node[] = [];
  // The first node that starts inside the root (binary search), then every node until the root ends.
  let lo = 0;
  for (let hi = starts.length; lo < hi; ) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] < root.startIndex) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < nodes.length && starts[i] < root.endIndex; i++) {
    const node = nodes[i];
    if (node.endIndex > root.endIndex) continue;
    if (skipFunctions && FUNCTION_TYPES.has(node.type) && node.id !== root.id) nested.push(node);
    if (types.has(node.type)) found.push(node);
  }
  if (nested.length === 0) return found;
  return found.filter((n) => !nested.some((f) => f.id !== n.id && f.startIndex <= n.startIndex && n.endIndex <= f.endIndex));
}

const PY_CALL = new Set(['call']);
const JS_CALL = new Set(['call_expression', 'new_expression']);

/** The calls in a function's body (nested functions included: a callback inside a tool runs as the tool). */
export function callsIn(ctx: RuleContext, node: Node): Node[] {
  const body = isFunction(node) ? node.childForFieldName('body') : node;
  return body ? descendantsOfType(body, isPython(ctx) ? PY_CALL : JS_CALL) : [];
}

function pythonHandlers(ctx: RuleContext): ToolHandler[] {
  const out: ToolHandler[] = [];
  const root = ctx.tree.rootNode;
  for (const def of descendantsOfType(root, new Set(['decorated_definition']))) {
    const fn = def.childForFieldName('definition');
    if (fn?.type !== 'function_definition') continue;
    for (const decorator of def.namedChildren) {
      if (decorator?.type !== 'decorator') continue;
      const expr = decorator.namedChildren[0];
      const target = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
      const name = target ? ctx.python.resolve(target) : undefined;
      const row = name ? PY_DECORATORS.find(([re]) => re.test(name)) : undefined;
      if (!row || !expr) continue;
      // `@tool("name")`, `@mcp.tool(name=...)`, `@function_tool(name_override=...)`.
      const explicit = expr.type === 'call' ? (ctx.python.argument(expr, 'name_override') ?? ctx.python.argument(expr, 'name', 0)) : undefined;
      const literal = explicit ? ctx.python.literal(explicit)?.value : undefined;
      out.push({
        fn,
        framework: row[1],
        name: typeof literal === 'string' ? literal : (fn.childForFieldName('name')?.text ?? 'tool'),
        registration: decorator,
        options: expr.type === 'call' ? expr : undefined,
      });
      break;
    }
  }
  for (const cls of descendantsOfType(root, new Set(['class_definition']))) {
    const bases = cls.childForFieldName('superclasses')?.namedChildren ?? [];
    const row = bases.map((b) => (b ? ctx.python.resolve(b) : undefined)).map((n) => (n ? PY_TOOL_CLASSES.find(([re]) => re.test(n)) : undefined)).find(Boolean);
    if (!row) continue;
    const body = cls.childForFieldName('body');
    const members = body?.namedChildren ?? [];
    const name = classAttribute(ctx, members, 'name') ?? cls.childForFieldName('name')?.text ?? 'tool';
    for (const member of members) {
      const fn = member?.type === 'decorated_definition' ? member.childForFieldName('definition') : member;
      if (fn?.type === 'function_definition' && /^_a?run$/.test(fn.childForFieldName('name')?.text ?? '')) out.push({ fn, framework: row[1], name, registration: cls });
    }
  }
  for (const call of descendantsOfType(root, PY_CALL)) {
    const callee = call.childForFieldName('function');
    const name = callee ? ctx.python.resolve(callee) : undefined;
    const row = name ? PY_REGISTRATIONS.find(([re]) => re.test(name)) : undefined;
    if (!row) continue;
    const arg = ctx.python.argument(call, row[1], row[2]);
    const fn = arg ? pythonFunction(ctx, arg) : undefined;
    if (!fn || out.some((h) => h.fn.id === fn.id)) continue;
    const toolName = ctx.python.argument(call, 'name', row[3] === 'langchain' && /\.Tool$/.test(name!) ? 0 : undefined);
    const literal = toolName ? ctx.python.literal(toolName)?.value : undefined;
    out.push({ fn, framework: row[3], name: typeof literal === 'string' ? literal : (fn.childForFieldName('name')?.text ?? 'tool'), registration: call });
  }
  return out;
}

/** `name: str = "shell"` / `name = "shell"` in a class body. */
function classAttribute(ctx: RuleContext, members: (Node | null)[], key: string): string | undefined {
  for (const m of members) {
    const a = m?.type === 'expression_statement' ? m.namedChildren[0] : undefined;
    if (a?.type !== 'assignment' || a.childForFieldName('left')?.text !== key) continue;
    const right = a.childForFieldName('right');
    const v = right ? ctx.python.literal(right)?.value : undefined;
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/** The function an argument names: a lambda, or a variable bound by `def`. */
function pythonFunction(ctx: RuleContext, arg: Node): Node | undefined {
  if (arg.type === 'lambda') return arg;
  if (arg.type !== 'identifier') return undefined;
  const b = ctx.python.scopes.scopeAt(arg).lookup(arg.text, arg.startIndex);
  if (b?.kind === 'opaque' && b.node?.type === 'function_definition') return b.node;
  return undefined;
}

function javascriptHandlers(ctx: RuleContext): ToolHandler[] {
  const out: ToolHandler[] = [];
  const js = ctx.javascript;
  // `class Shell extends StructuredTool { name = 'shell'; async _call(input) {…} }`
  for (const cls of descendantsOfType(ctx.tree.rootNode, new Set(['class_declaration', 'class']))) {
    const heritage = cls.namedChildren.find((c) => c?.type === 'class_heritage');
    const base = heritage?.namedChildren.find((c) => c?.type === 'extends_clause')?.childForFieldName('value') ?? heritage?.namedChildren[0];
    const baseName = base ? js.resolve(base) : undefined;
    if (!baseName || !JS_TOOL_CLASS.test(baseName)) continue;
    const members = cls.childForFieldName('body')?.namedChildren ?? [];
    const field = members.find((m) => m?.type === 'public_field_definition' && m.childForFieldName('name')?.text === 'name');
    const toolName = stringValue(field?.childForFieldName('value')) ?? cls.childForFieldName('name')?.text ?? 'tool';
    for (const m of members) {
      if (m?.type === 'method_definition' && m.childForFieldName('name')?.text === '_call') out.push({ fn: m, framework: 'langchain', name: toolName, registration: cls });
    }
  }
  for (const call of descendantsOfType(ctx.tree.rootNode, JS_CALL)) {
    const callee = call.childForFieldName(call.type === 'call_expression' ? 'function' : 'constructor');
    if (!callee) continue;
    const name = js.resolve(callee);
    const args = js.callArguments(call);
    const add = (fnNode: Node | undefined, framework: ToolFramework, toolName: string | undefined, options?: Node) => {
      const fn = fnNode ? javascriptFunction(ctx, fnNode) : undefined;
      if (fn && !out.some((h) => h.fn.id === fn.id)) out.push({ fn, framework, name: toolName ?? jsToolName(call), registration: call, options });
    };
    const optionsTool = name ? JS_OPTIONS_TOOL.find(([re]) => re.test(name)) : undefined;
    if (optionsTool) {
      const options = args[0] ? js.definition(args[0]) : undefined;
      const toolName = stringValue(js.property(options, 'name'));
      add(options && objectMember(options, 'execute'), optionsTool[1], toolName, options?.type === 'object' ? options : undefined);
      continue;
    }
    if (name && JS_LANGCHAIN_TOOL.test(name)) {
      add(args[0], 'langchain', stringValue(js.property(args[1], 'name')));
      continue;
    }
    if (name && JS_LANGCHAIN_CLASS.test(name)) {
      const options = args[0] ? js.definition(args[0]) : undefined;
      add(options && objectMember(options, 'func'), 'langchain', stringValue(js.property(options, 'name')));
      continue;
    }
    const text = callee.text.replace(/\s+/g, '');
    if ((name && JS_MCP_SERVER.test(name)) || JS_MCP_FALLBACK.test(text)) {
      // server.tool(name, [description], [schema], [annotations], handler) / registerTool(name, config, handler).
      const last = args[args.length - 1];
      const config = /registerTool$/.test(text) && args[1] ? js.definition(args[1]) : undefined;
      add(last, 'mcp', stringValue(args[0]), config?.type === 'object' ? config : undefined);
      continue;
    }
    // Low-level MCP server: setRequestHandler(CallToolRequestSchema, async (request) => …).
    if (/\.setRequestHandler$/.test(text) && args[0] && /CallToolRequestSchema$/.test(js.resolve(args[0]) ?? args[0].text)) {
      add(args[1], 'mcp', 'tools/call');
    }
  }
  return out;
}

/** A property value of an object literal, or its method of that name (`execute(args) {…}`). */
export function objectMember(object: Node, key: string): Node | undefined {
  if (object.type !== 'object') return undefined;
  for (const member of object.namedChildren) {
    if (!member) continue;
    if (member.type === 'method_definition' && member.childForFieldName('name')?.text === key) return member;
    if (member.type === 'pair') {
      const k = member.childForFieldName('key');
      if (k && (stringValue(k) ?? k.text) === key) return member.childForFieldName('value') ?? undefined;
    }
    if (member.type === 'shorthand_property_identifier' && member.text === key) return member;
  }
  return undefined;
}

/** The function a JS expression is: inline, or a variable / declaration it names. */
function javascriptFunction(ctx: RuleContext, node: Node): Node | undefined {
  if (isFunction(node)) return node;
  if (node.type !== 'identifier' && node.type !== 'shorthand_property_identifier') return undefined;
  const b = ctx.javascript.scopes.scopeAt(node).lookup(node.text, node.startIndex);
  if (b?.kind === 'opaque' && b.node && isFunction(b.node)) return b.node;
  if (b?.kind === 'value' && isFunction(b.value)) return b.value;
  return undefined;
}

/** `const runShell = tool({...})` → runShell; `{ runShell: tool({...}) }` → runShell. */
function jsToolName(call: Node): string {
  const parent = call.parent;
  if (parent?.type === 'variable_declarator') return parent.childForFieldName('name')?.text ?? 'tool';
  if (parent?.type === 'pair') return parent.childForFieldName('key')?.text ?? 'tool';
  return 'tool';
}

/** The identifiers a function's parameters bind (`self`/`cls` and FastMCP `ctx: Context` left out). */
export function parameterNames(fn: Node): Node[] {
  const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
  if (!params) return [];
  const out: Node[] = [];
  const visit = (n: Node) => {
    if (n.type === 'identifier' || n.type === 'shorthand_property_identifier_pattern') {
      if (!/^(self|cls)$/.test(n.text)) out.push(n);
      return;
    }
    // Defaults and type annotations hold no parameter names.
    if (n.type === 'type' || n.type === 'type_annotation') return;
    const skip = new Set<number>();
    for (const field of ['value', 'type', 'right']) {
      const c = n.childForFieldName(field);
      if (c && n.type !== 'pair_pattern') skip.add(c.id);
    }
    for (const c of n.namedChildren) if (c && !skip.has(c.id)) visit(c);
  };
  visit(params);
  return out;
}

/** Whether a node is (part of) a function's parameter list. */
export function isParameterNode(node: Node): boolean {
  for (let n: Node | null = node, i = 0; n && i < 5; n = n.parent, i++) {
    if (n.type === 'parameters' || n.type === 'formal_parameters' || n.type === 'lambda_parameters') return true;
    if (n.parent && isFunction(n.parent) && n.parent.childForFieldName('parameter')?.id === n.id) return true;
    if (isFunction(n)) return false;
  }
  return false;
}

/**
 * The text a string expression starts with for certain: literal pieces up to the first
 * interpolation, through `+`, f-strings, template literals and constants held in variables.
 * `complete` says the whole expression was constant.
 */
export function constantPrefix(ctx: RuleContext, node: Node, depth = 0): { text: string; complete: boolean } {
  if (depth > 8) return { text: '', complete: false };
  const n = isPython(ctx) ? ctx.python.definition(node) : ctx.javascript.definition(node);
  if (n.type === 'parenthesized_expression' && n.namedChildren[0]) return constantPrefix(ctx, n.namedChildren[0], depth + 1);
  if (n.type === 'string' || n.type === 'template_string') {
    let text = '';
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'string_start' || c.type === 'string_end') continue;
      if (c.type === 'string_content' || c.type === 'string_fragment') text += c.text;
      else if (c.type === 'escape_sequence') text += c.text;
      else {
        // `f"{BASE_URL}/items/{id}"`: a constant interpolated is part of the prefix.
        const inner = c.type === 'interpolation' || c.type === 'template_substitution' ? c.namedChildren.find((x) => x?.type !== 'comment' && x?.type !== 'format_specifier' && x?.type !== 'type_conversion') : undefined;
        const value = inner ? constantPrefix(ctx, inner, depth + 1) : undefined;
        if (!value?.complete) return { text: text + (value?.text ?? ''), complete: false };
        text += value.text;
      }
    }
    return { text, complete: true };
  }
  if (n.type === 'concatenated_string') {
    let text = '';
    for (const part of n.namedChildren) {
      if (!part) continue;
      const p = constantPrefix(ctx, part, depth + 1);
      text += p.text;
      if (!p.complete) return { text, complete: false };
    }
    return { text, complete: true };
  }
  if ((n.type === 'binary_operator' || n.type === 'binary_expression') && n.childForFieldName('operator')?.text === '+') {
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (!left || !right) return { text: '', complete: false };
    const l = constantPrefix(ctx, left, depth + 1);
    if (!l.complete) return l;
    const r = constantPrefix(ctx, right, depth + 1);
    return { text: l.text + r.text, complete: r.complete };
  }
  // `"...".format(x)` and `"..." % x` start with the template's text up to the first placeholder.
  if (n.type === 'call' && n.childForFieldName('function')?.type === 'attribute' && n.childForFieldName('function')?.childForFieldName('attribute')?.text === 'format') {
    const template = n.childForFieldName('function')?.childForFieldName('object');
    if (template) return { text: constantPrefix(ctx, template, depth + 1).text.split('{')[0], complete: false };
  }
  if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '%') {
    const left = n.childForFieldName('left');
    if (left) return { text: constantPrefix(ctx, left, depth + 1).text.split('%')[0], complete: false };
  }
  return { text: '', complete: false };
}

/** The full text of a constant string expression, or undefined. */
export function constantText(ctx: RuleContext, node: Node): string | undefined {
  const p = constantPrefix(ctx, node);
  return p.complete ? p.text : undefined;
}

/** Whether a call's callee resolves to a name matching `re` (by resolved name, else by its text). */
export function calleeMatches(ctx: RuleContext, call: Node, re: RegExp): string | undefined {
  const callee = call.childForFieldName('function') ?? call.childForFieldName('constructor');
  if (!callee) return undefined;
  const name = resolveIn(ctx, callee);
  if (name && re.test(name)) return name;
  return undefined;
}
