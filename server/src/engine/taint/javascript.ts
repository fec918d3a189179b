// JavaScript/TypeScript side of the taint analysis: expression shapes, sources, sanitizers, calls.
import { Query, type Node } from 'web-tree-sitter';
import type { Binding } from '../facts/scopes';
import type { JavaScriptFacts } from '../facts/javascript';
import { stringValue } from '../facts/javascript';
import { isModelOutputCall } from '../sdk/index';
import { indexCallSites, type ExpressionShape, type TaintAdapter } from './analysis';
import type { SanitizerKind, SourceMatch, TaintQuery } from './types';

const UNTRUSTED: [RegExp, string][] = [
  [/^global\.process\.(argv|stdin)(\.|$)/, 'the command line'],
  [/^global\.(window\.|document\.)?location(\.|$)/, 'the page URL'],
  [/^global\.document\.(cookie|referrer|URL)$/, 'the browser document'],
  [/^global\.(window\.)?(localStorage|sessionStorage)\.getItem$/, 'browser storage'],
  [/^global\.(window\.)?prompt$/, 'user input'],
  [/^global\.fetch$/, 'a web request'],
  [/^(axios|node-fetch|got|undici|ky|superagent)(\.|$|\(\))/, 'a web request'],
  [/^readline\..*\.question$/, 'user input'],
];

const RETRIEVAL = /(^|\.)(similaritySearch\w*|maxMarginalRelevanceSearch|getRelevantDocuments|asRetriever\(\)\.invoke|retrieve)$/;
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|DSN|DATABASE_URL|CONN(ECTION)?_STR)/i;

/** Calls that register an HTTP handler: the handler's first parameter is the request. */
const ROUTE_REGISTRATION = /^(express|express\.Router|koa-router|@koa\/router|fastify|hono\.Hono)\(\)\.(get|post|put|patch|delete|all|use|route)$/;
const ROUTE_FALLBACK = /(^|\.)(app|router|server|api)\.(get|post|put|patch|delete|all)$/;
/** Calls whose function argument is a tool implementation: its parameters are chosen by the model. */
const TOOL_REGISTRATION = /^(ai\.tool|@langchain\/core\/tools\.tool|@openai\/agents\.tool|@modelcontextprotocol\/sdk\/server\/mcp\.js\.McpServer\(\)\.(tool|registerTool))$/;
const TOOL_FALLBACK = /(^|\.)(server|mcp)\.(tool|registerTool)$/;

const SANITIZERS: Record<SanitizerKind, RegExp> = {
  schema: /^zod\..*\.(safe)?[pP]arse(Async)?$|(Schema|schema|Validator)\.(safe)?[pP]arse(Async)?$/,
  number: /^global\.(Number|parseInt|parseFloat|Boolean|Math\.\w+)$/,
  html: /^(dompurify|isomorphic-dompurify)(\.default)?(\(\))?\.sanitize$|DOMPurify\.sanitize$|^(sanitize-html|xss|escape-html|he\.encode|he\.escape|lodash\.escape|validator\.escape)$|^(sanitize-html\.default|xss\.filterXSS|lodash\/escape|lodash-es\.escape|underscore\.escape|escape-goat\.htmlEscape|html-entities\.(encode|escape)|entities\.(encodeHTML|escapeUTF8|escape))$/,
  shell: /^(shell-quote\.quote|shescape\.\w+|shescape\.Shescape\(\)\.quote(All)?|zx\.quote)$/,
  sql: /^$/,
  url: /^$/,
  path: /^(path|node:path)\.basename$/,
  delimit: /^global\.JSON\.stringify$/,
};

const OPAQUE = /\.(startsWith|endsWith|includes|indexOf|lastIndexOf|test|has|some|every|localeCompare)$|^global\.(Number\.isNaN|Number\.isFinite|Array\.isArray|isNaN|isFinite|Boolean)$/;

/** Array methods whose callback receives the array's elements. */
const ITERATION_METHODS = new Set(['map', 'flatMap', 'forEach', 'filter', 'find', 'findLast', 'some', 'every', 'reduce', 'reduceRight', 'then']);

const FUNCTION_TYPES = new Set(['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'generator_function_declaration', 'generator_function']);

function dotted(node: Node): string {
  return node.text.replace(/\s+/g, '');
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 50 ? `${flat.slice(0, 47)}…` : flat;
}

export class JavaScriptTaintAdapter implements TaintAdapter {
  private callsByFunction?: Map<number, Node[]>;

  constructor(private readonly facts: JavaScriptFacts) {}

  get scopes() {
    return this.facts.scopes;
  }

  resolve(node: Node): string | undefined {
    return this.facts.resolve(node);
  }

  shape(node: Node): ExpressionShape {
    const children = () => node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    switch (node.type) {
      case 'identifier':
      case 'shorthand_property_identifier':
        return { kind: 'name' };
      case 'member_expression':
      case 'subscript_expression':
        return { kind: 'parts', parts: [node.childForFieldName('object')!].filter(Boolean) };
      case 'call_expression':
      case 'new_expression': {
        const callee = node.childForFieldName(node.type === 'call_expression' ? 'function' : 'constructor')!;
        const args = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
        const receiver = callee.type === 'member_expression' ? (callee.childForFieldName('object') ?? undefined) : undefined;
        // Tagged templates (`sql\`...\``) keep their template as the argument.
        const template = node.childForFieldName('arguments')?.type === 'template_string' ? [node.childForFieldName('arguments')!] : [];
        return { kind: 'call', callee, receiver, args: [...args, ...template] };
      }
      case 'template_string': {
        const parts = node.namedChildren.filter((c): c is Node => c?.type === 'template_substitution').flatMap((s) => s.namedChildren.filter((c): c is Node => !!c));
        return parts.length > 0 ? { kind: 'parts', parts, step: `interpolated into \`${shorten(node.text)}\`` } : { kind: 'clean' };
      }
      case 'binary_expression': {
        const op = node.childForFieldName('operator')?.text ?? '';
        if (/^(===?|!==?|<=?|>=?|instanceof|in)$/.test(op)) return { kind: 'clean' };
        const parts = [node.childForFieldName('left'), node.childForFieldName('right')].filter((c): c is Node => !!c);
        return { kind: 'parts', parts, step: op === '+' ? `concatenated in \`${shorten(node.text)}\`` : undefined };
      }
      case 'ternary_expression':
        return { kind: 'parts', parts: [node.childForFieldName('consequence'), node.childForFieldName('alternative')].filter((c): c is Node => !!c) };
      case 'augmented_assignment_expression':
        return { kind: 'augmented', target: node.childForFieldName('left')!, value: node.childForFieldName('right')! };
      case 'assignment_expression':
        return { kind: 'parts', parts: [node.childForFieldName('right')!].filter(Boolean) };
      case 'pair':
        return { kind: 'parts', parts: [node.childForFieldName('value')!].filter(Boolean) };
      case 'unary_expression':
        return node.text.startsWith('-') || node.text.startsWith('+') ? { kind: 'parts', parts: children() } : { kind: 'clean' };
      case 'string':
      case 'number':
      case 'true':
      case 'false':
      case 'null':
      case 'undefined':
      case 'regex':
      case 'arrow_function':
      case 'function_expression':
      case 'class':
        return { kind: 'clean' };
      default:
        // Objects, arrays, parentheses, await, spreads, TS casts, JSX expressions…
        return { kind: 'parts', parts: children() };
    }
  }

  sourceAt(node: Node): SourceMatch | undefined {
    if (node.type === 'call_expression' || node.type === 'new_expression') {
      const callee = node.childForFieldName(node.type === 'call_expression' ? 'function' : 'constructor');
      if (!callee) return undefined;
      const name = this.facts.resolve(callee);
      if (isModelOutputCall('javascript', name, dotted(callee))) return { label: 'llm-output', description: `model output (\`${name ?? dotted(callee)}\`)` };
      if (RETRIEVAL.test(name ?? dotted(callee))) return { label: 'untrusted', description: `retrieved documents (\`${name ?? dotted(callee)}\`)` };
      return name ? this.untrusted(name) : undefined;
    }
    if (node.type === 'member_expression' || node.type === 'subscript_expression' || node.type === 'identifier') {
      const secret = this.environmentSecret(node);
      if (secret) return secret;
      const name = this.facts.resolve(node);
      return name && node.type !== 'identifier' ? this.untrusted(name) : undefined;
    }
    return undefined;
  }

  private untrusted(name: string): SourceMatch | undefined {
    const hit = UNTRUSTED.find(([re]) => re.test(name));
    return hit ? { label: 'untrusted', description: `${hit[1]} (\`${name.replace(/^global\./, '')}\`)` } : undefined;
  }

  /** `process.env.OPENAI_API_KEY`, `process.env["DB_PASSWORD"]`, `import.meta.env.VITE_API_KEY`. */
  private environmentSecret(node: Node): SourceMatch | undefined {
    if (node.type !== 'member_expression' && node.type !== 'subscript_expression') return undefined;
    const object = node.childForFieldName('object');
    const key = node.type === 'member_expression' ? node.childForFieldName('property')?.text : stringValue(node.childForFieldName('index'));
    if (!object || !key || !SECRET_NAME.test(key)) return undefined;
    const base = dotted(object);
    if (base !== 'process.env' && base !== 'import.meta.env' && this.facts.resolve(object) !== 'global.process.env') return undefined;
    return { label: 'secret', description: `the secret environment variable ${key}` };
  }

  parameterSource(b: Extract<Binding, { kind: 'param' }>): SourceMatch | undefined {
    const fn = b.fn;
    const name = this.functionName(fn);
    // A function passed to a registration call: app.get('/x', (req, res) => …), tool({ execute }).
    const call = registeringCall(fn);
    if (call) {
      const callee = call.childForFieldName('function');
      const resolved = callee ? this.facts.resolve(callee) : undefined;
      const text = callee ? dotted(callee) : '';
      if (b.index === 0 && ((resolved && ROUTE_REGISTRATION.test(resolved)) || ROUTE_FALLBACK.test(text))) {
        const route = stringValue(call.childForFieldName('arguments')?.namedChildren[0]);
        return { label: 'untrusted', description: `the request of the \`${text}(${route ? `'${route}'` : '…'})\` handler` };
      }
      if ((resolved && TOOL_REGISTRATION.test(resolved)) || TOOL_FALLBACK.test(text)) return { label: 'llm-output', toolArgument: true, description: `argument \`${b.name}\` of tool \`${name}\` (the model chooses it)` };
    }
    // Next.js route handlers: `export async function POST(request) { … }`.
    const fnName = fn.childForFieldName('name')?.text;
    if (b.index === 0 && fnName && /^(GET|POST|PUT|PATCH|DELETE)$/.test(fnName) && fn.parent?.type === 'export_statement') {
      return { label: 'untrusted', description: `the request of route handler \`${fnName}\`` };
    }
    // Server actions: exported functions of a 'use server' module, or with the directive in their body.
    if (isServerAction(fn)) return { label: 'untrusted', description: `argument \`${b.name}\` of server action \`${name}\` (sent by the browser)` };
    return undefined;
  }

  iteratedBy(b: Extract<Binding, { kind: 'param' }>): Node | undefined {
    const args = b.fn.parent;
    const call = args?.type === 'arguments' ? args.parent : undefined;
    const callee = call?.type === 'call_expression' ? call.childForFieldName('function') : undefined;
    const method = callee?.type === 'member_expression' ? callee.childForFieldName('property')?.text : undefined;
    if (!method || args?.namedChildren[0]?.id !== b.fn.id) return undefined;
    // The element is the first parameter, except for reduce((acc, item) => …).
    const elementIndex = /^reduce(Right)?$/.test(method) ? 1 : 0;
    return ITERATION_METHODS.has(method) && b.index === elementIndex ? (callee!.childForFieldName('object') ?? undefined) : undefined;
  }

  isSanitizer(call: Node, callee: string | undefined, query: TaintQuery): boolean {
    const fn = call.childForFieldName('function') ?? call.childForFieldName('constructor');
    const names = [callee, fn ? dotted(fn) : undefined].filter((n): n is string => !!n);
    const kinds: SanitizerKind[] = ['schema', ...(query.sanitizers ?? [])];
    return kinds.some((k) => names.some((n) => SANITIZERS[k].test(n)));
  }

  isOpaqueCall(callee: string | undefined): boolean {
    return !!callee && OPAQUE.test(callee);
  }

  calledFunction(call: Node): Node | undefined {
    // `<Bubble text={x} />` calls the component `Bubble` with its props.
    const fn = call.type === 'jsx_element' ? call.childForFieldName('open_tag')?.childForFieldName('name') : call.type === 'jsx_self_closing_element' ? call.childForFieldName('name') : call.childForFieldName('function');
    if (fn?.type !== 'identifier') return undefined;
    const b = this.facts.scopes.scopeAt(fn).lookup(fn.text, fn.startIndex);
    if (b?.kind === 'opaque' && b.node && FUNCTION_TYPES.has(b.node.type)) return b.node;
    if (b?.kind === 'value' && FUNCTION_TYPES.has(b.value.type)) return b.value;
    return undefined;
  }

  argumentFor(call: Node, _fn: Node, index: number): Node | undefined {
    // A component's props: its attributes and children, all in the element.
    if (call.type === 'jsx_element' || call.type === 'jsx_self_closing_element') return index === 0 ? call : undefined;
    const arg = this.facts.callArguments(call)[index];
    return arg?.type === 'spread_element' ? undefined : arg;
  }

  callSites(fn: Node): Node[] {
    if (!this.callsByFunction) {
      // JSX exists in the javascript and tsx grammars only.
      let query: Query;
      try {
        query = new Query(this.facts.tree.language, '[(call_expression) (jsx_element) (jsx_self_closing_element)] @call');
      } catch {
        query = new Query(this.facts.tree.language, '(call_expression) @call');
      }
      this.callsByFunction = indexCallSites(query, this.facts.tree.rootNode, (c) => this.calledFunction(c));
    }
    return this.callsByFunction.get(fn.id) ?? [];
  }

  returnValues(fn: Node): Node[] {
    const body = fn.childForFieldName('body');
    if (!body) return [];
    if (body.type !== 'statement_block') return [body]; // `x => expr`
    const out: Node[] = [];
    const visit = (n: Node) => {
      for (const c of n.namedChildren) {
        if (!c || FUNCTION_TYPES.has(c.type) || c.type === 'class_declaration') continue;
        if (c.type === 'return_statement') {
          const value = c.namedChildren[0];
          if (value) out.push(value);
        } else if (c.namedChildCount > 0 && !c.type.endsWith('expression')) visit(c);
      }
    };
    visit(body);
    return out;
  }

  enclosingBlock(node: Node): Node | undefined {
    for (let n: Node | null = node.parent; n; n = n.parent) if (n.type === 'statement_block' || n.type === 'program') return n;
    return undefined;
  }

  functionName(fn: Node): string {
    const own = fn.childForFieldName('name')?.text;
    const declared = fn.parent?.type === 'variable_declarator' ? fn.parent.childForFieldName('name')?.text : undefined;
    const property = fn.parent?.type === 'pair' ? fn.parent.childForFieldName('key')?.text : undefined;
    return `${own ?? declared ?? property ?? 'anonymous function'}()`;
  }

  lineOf(node: Node): number {
    return node.startPosition.row + 1;
  }
}

/** The call a function is an argument of (directly, or as a property value of an options object). */
function registeringCall(fn: Node): Node | undefined {
  let n: Node | null = fn.parent;
  if (n?.type === 'pair') n = n.parent?.parent ?? null; // { execute: fn } inside arguments
  if (n?.type === 'arguments') return n.parent?.type === 'call_expression' ? n.parent : undefined;
  return undefined;
}

function isServerAction(fn: Node): boolean {
  // firstNamedChild, not namedChildren[0]: the latter builds every top-level statement.
  const body = fn.childForFieldName('body');
  const first = body?.type === 'statement_block' ? body.firstNamedChild : undefined;
  if (first?.type === 'expression_statement' && /^['"]use server['"]/.test(first.text)) return true;
  if (fn.parent?.type !== 'export_statement') return false;
  const program = fn.parent.parent;
  const directive = program?.firstNamedChild;
  return program?.type === 'program' && directive?.type === 'expression_statement' && /^['"]use server['"]/.test(directive.text);
}
