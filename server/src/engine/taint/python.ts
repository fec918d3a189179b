// Python side of the taint analysis: expression shapes, sources, sanitizers and calls.
import { Query, type Node } from 'web-tree-sitter';
import type { Binding } from '../facts/scopes';
import type { PythonFacts } from '../facts/python';
import { isModelOutputCall } from '../sdk/index';
import { indexCallSites, type ExpressionShape, type TaintAdapter } from './analysis';
import type { SanitizerKind, SourceMatch, TaintQuery } from './types';

/** Qualified-name prefixes of untrusted values (a call to them or a read of them). */
const UNTRUSTED: [RegExp, string][] = [
  [/^flask\.request(\.|$)/, 'an HTTP request'],
  [/^(django\.http|starlette\.requests|fastapi\.Request)/, 'an HTTP request'],
  [/^builtins\.input$/, 'user input'],
  [/^sys\.(argv|stdin)(\.|$)/, 'the command line'],
  [/^argparse\.ArgumentParser\(\)\.parse(_known)?_args$/, 'the command line'],
  [/^(requests|httpx|urllib3|aiohttp)(\.|$)/, 'a web request'],
  [/^urllib\.request\.urlopen$/, 'a web request'],
  [/^(langchain\w*|llama_index)\..*\.(WebBaseLoader|AsyncHtmlLoader|RecursiveUrlLoader|SeleniumURLLoader|PlaywrightURLLoader)\(\)\.a?load$/, 'a web page'],
];

/** Method names that return retrieved documents, whatever the vector store or retriever. */
const RETRIEVAL = /(^|\.)(similarity_search\w*|max_marginal_relevance_search\w*|a?get_relevant_documents|as_retriever\(\)\.a?invoke|retrieve|aretrieve)$/;

/** Environment variables whose names say they hold credentials. */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|DSN|DATABASE_URL|CONN(ECTION)?_STR)/i;

/** Decorators (resolved) that make a function's parameters arrive from HTTP requests. */
const ROUTE_DECORATOR = /^(flask\.(Flask|Blueprint)\(\)|fastapi\.(FastAPI|APIRouter)\(\)|quart\.Quart\(\)|sanic\.Sanic\(\))\.(route|get|post|put|patch|delete|api_route|websocket)$/;
/** Decorators that make a function a tool whose arguments the model chooses. */
const TOOL_DECORATOR = /^(langchain(_core)?\.(tools|agents)\.tool|agents\.function_tool|mcp\.server\.fastmcp\.FastMCP\(\)\.tool|fastmcp\.FastMCP\(\)\.tool|mcp\.server\.Server\(\)\.call_tool|llama_index\.core\.tools\.FunctionTool\.from_defaults)$/;

const SANITIZERS: Record<SanitizerKind, RegExp> = {
  schema: /(\.|^)(model_validate|model_validate_json|parse_obj|parse_raw|validate_python|validate_json)$/,
  number: /^builtins\.(int|float|bool|len|round|abs)$/,
  html: /^(html\.escape|markupsafe\.escape|bleach\.clean|bleach\.linkify|nh3\.clean|django\.utils\.html\.(escape|strip_tags)|markupsafe\.Markup\.escape)$|^(bleach\.(sanitizer\.)?Cleaner\(\)\.clean|nh3\.clean_text|django\.utils\.html\.conditional_escape|(flask|jinja2|cgi|xml\.sax\.saxutils)\.escape|(lxml\.html\.clean|lxml_html_clean)\.(clean_html|Cleaner\(\)\.clean_html)|html_sanitizer\.Sanitizer\(\)\.sanitize)$/,
  shell: /^(shlex|pipes)\.quote$|^shlex\.join$/,
  sql: /^(sqlalchemy\.bindparam|psycopg2?\.sql\.(Identifier|Literal|Placeholder))$/,
  url: /^$/,
  path: /^(os\.path\.basename|werkzeug\.utils\.secure_filename)$/,
  delimit: /^json\.dumps$/,
};

/** Calls whose result cannot carry the text of their arguments. */
const OPAQUE = /^builtins\.(len|isinstance|issubclass|hasattr|callable|id|hash|type|bool|sum|min|max|any|all|sorted\b.*)$|\.(startswith|endswith|isdigit|isalpha|isalnum|isnumeric|isspace|count|find|rfind|index|__len__)$/;

const SCOPE_TYPES = new Set(['function_definition', 'lambda']);

function dotted(node: Node): string {
  return node.text.replace(/\s+/g, '');
}

export class PythonTaintAdapter implements TaintAdapter {
  private callsByFunction?: Map<number, Node[]>;
  private django?: boolean;

  constructor(private readonly facts: PythonFacts) {}

  private usesDjango(): boolean {
    return (this.django ??= this.facts.tree.rootNode.text.includes('django'));
  }

  get scopes() {
    return this.facts.scopes;
  }

  resolve(node: Node): string | undefined {
    return this.facts.resolve(node);
  }

  shape(node: Node): ExpressionShape {
    switch (node.type) {
      case 'identifier':
        return { kind: 'name' };
      case 'attribute':
        return { kind: 'parts', parts: [node.childForFieldName('object')!].filter(Boolean) };
      case 'subscript':
        return { kind: 'parts', parts: [node.childForFieldName('value')!].filter(Boolean) };
      case 'call': {
        const fn = node.childForFieldName('function')!;
        const args = node.childForFieldName('arguments');
        const values = (args?.namedChildren ?? []).flatMap((a) => {
          if (!a || a.type === 'comment') return [];
          if (a.type === 'keyword_argument') return [a.childForFieldName('value')!].filter(Boolean);
          if (a.type === 'list_splat' || a.type === 'dictionary_splat') return a.namedChildren.filter((c): c is Node => !!c);
          return [a];
        });
        // A generator argument (`f(x for x in y)`) is its own node.
        const receiver = fn.type === 'attribute' ? (fn.childForFieldName('object') ?? undefined) : undefined;
        return { kind: 'call', callee: fn, receiver, args: args?.type === 'generator_expression' ? [args] : values };
      }
      case 'string': {
        const parts = node.namedChildren.filter((c): c is Node => c?.type === 'interpolation').map((i) => i.namedChildren[0]).filter((c): c is Node => !!c);
        return parts.length > 0 ? { kind: 'parts', parts, step: `interpolated into \`${shorten(node.text)}\`` } : { kind: 'clean' };
      }
      case 'binary_operator': {
        const op = node.childForFieldName('operator')?.text;
        const parts = [node.childForFieldName('left'), node.childForFieldName('right')].filter((c): c is Node => !!c);
        return { kind: 'parts', parts, step: op === '%' ? `formatted into \`${shorten(node.text)}\`` : op === '+' ? `concatenated in \`${shorten(node.text)}\`` : undefined };
      }
      case 'augmented_assignment':
        return { kind: 'augmented', target: node.childForFieldName('left')!, value: node.childForFieldName('right')! };
      case 'conditional_expression': {
        // `a if cond else b`: the condition's value does not flow into the result.
        const [body, , orElse] = node.namedChildren;
        return { kind: 'parts', parts: [body, orElse].filter((c): c is Node => !!c) };
      }
      case 'pair':
        return { kind: 'parts', parts: [node.childForFieldName('value')!, node.childForFieldName('key')!].filter(Boolean) };
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
      case 'comparison_operator':
      case 'not_operator':
      case 'lambda':
      case 'function_definition':
      case 'ellipsis':
        return { kind: 'clean' };
      default:
        // Containers, parentheses, await, comprehensions, concatenated strings, splats, walrus…
        return { kind: 'parts', parts: node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') };
    }
  }

  sourceAt(node: Node): SourceMatch | undefined {
    if (node.type !== 'call' && node.type !== 'attribute' && node.type !== 'identifier' && node.type !== 'subscript') return undefined;
    if (node.type === 'subscript') return this.environmentSecret(node);
    const target = node.type === 'call' ? node.childForFieldName('function') : node;
    if (!target) return undefined;
    const name = this.facts.resolve(target);
    if (node.type === 'call') {
      if (isModelOutputCall('python', name, dotted(target))) return { label: 'llm-output', description: `model output (\`${name ?? dotted(target)}\`)` };
      if (RETRIEVAL.test(name ?? dotted(target))) return { label: 'untrusted', description: `retrieved documents (\`${name ?? dotted(target)}\`)` };
      const secret = this.environmentSecret(node);
      if (secret) return secret;
    }
    if (!name) return undefined;
    // Attribute reads of a source are reported at the outermost read, not at each prefix.
    const hit = UNTRUSTED.find(([re]) => re.test(name));
    return hit ? { label: 'untrusted', description: `${hit[1]} (\`${name}\`)` } : undefined;
  }

  /** `os.environ["OPENAI_API_KEY"]`, `os.getenv("DB_PASSWORD")`, `os.environ.get("..._TOKEN")`. */
  private environmentSecret(node: Node): SourceMatch | undefined {
    let container: Node | null = null;
    let key: Node | null | undefined = null;
    if (node.type === 'subscript') {
      container = node.childForFieldName('value');
      key = node.childForFieldName('subscript');
    } else if (node.type === 'call') {
      container = node.childForFieldName('function');
      key = this.facts.callArguments(node).positional[0];
    }
    const name = container ? this.facts.resolve(container) : undefined;
    if (!name || !/^os\.(environ|getenv|environ\.get)$/.test(name) || !key) return undefined;
    const variable = this.facts.literal(key)?.value;
    return typeof variable === 'string' && SECRET_NAME.test(variable) ? { label: 'secret', description: `the secret environment variable ${variable}` } : undefined;
  }

  parameterSource(b: Extract<Binding, { kind: 'param' }>): SourceMatch | undefined {
    const fnName = b.fn.childForFieldName('name')?.text ?? 'lambda';
    for (const decorator of decoratorsOf(b.fn)) {
      const expr = decorator.namedChildren[0];
      const target = expr?.type === 'call' ? expr.childForFieldName('function') : expr;
      const name = target ? this.facts.resolve(target) : undefined;
      if (!name) continue;
      if (ROUTE_DECORATOR.test(name)) return isSelfOrDependency(b) ? undefined : { label: 'untrusted', description: `parameter \`${b.name}\` of HTTP handler \`${fnName}\`` };
      if (TOOL_DECORATOR.test(name)) return isSelfOrDependency(b) ? undefined : { label: 'llm-output', toolArgument: true, description: `argument \`${b.name}\` of tool \`${fnName}\` (the model chooses it)` };
    }
    // Django views take the request as their first argument (after self in class-based views).
    if (b.name === 'request' && this.usesDjango()) return { label: 'untrusted', description: `the Django request of \`${fnName}\`` };
    return undefined;
  }

  iteratedBy(b: Extract<Binding, { kind: 'param' }>): Node | undefined {
    // `map(lambda x: …, items)` / `filter(lambda x: …, items)`: x is an element of items.
    const args = b.fn.parent;
    const call = args?.type === 'argument_list' ? args.parent : undefined;
    if (b.fn.type !== 'lambda' || call?.type !== 'call' || b.index !== 0) return undefined;
    const callee = this.facts.resolve(call.childForFieldName('function'));
    const positional = this.facts.callArguments(call).positional;
    return (callee === 'builtins.map' || callee === 'builtins.filter') && positional[0]?.id === b.fn.id ? positional[1] : undefined;
  }

  isSanitizer(call: Node, callee: string | undefined, query: TaintQuery): boolean {
    const fn = call.childForFieldName('function');
    const names = [callee, fn ? dotted(fn) : undefined].filter((n): n is string => !!n);
    const kinds: SanitizerKind[] = ['schema', ...(query.sanitizers ?? [])];
    return kinds.some((k) => names.some((n) => SANITIZERS[k].test(n)));
  }

  isOpaqueCall(callee: string | undefined): boolean {
    return !!callee && OPAQUE.test(callee);
  }

  calledFunction(call: Node): Node | undefined {
    const fn = call.childForFieldName('function');
    if (!fn) return undefined;
    if (fn.type === 'identifier') {
      const b = this.facts.scopes.scopeAt(fn).lookup(fn.text, fn.startIndex);
      return b?.kind === 'opaque' && b.node?.type === 'function_definition' ? b.node : undefined;
    }
    // `self.helper(x)`: a method of the enclosing class.
    const object = fn.childForFieldName('object');
    const attr = fn.childForFieldName('attribute');
    if (fn.type === 'attribute' && object?.type === 'identifier' && (object.text === 'self' || object.text === 'cls') && attr) {
      for (let n: Node | null = call.parent; n; n = n.parent) {
        if (n.type !== 'class_definition') continue;
        const body = n.childForFieldName('body');
        for (const stmt of body?.namedChildren ?? []) {
          const def = stmt?.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
          if (def?.type === 'function_definition' && def.childForFieldName('name')?.text === attr.text) return def;
        }
        return undefined;
      }
    }
    return undefined;
  }

  argumentFor(call: Node, fn: Node, index: number, name: string): Node | undefined {
    const args = this.facts.callArguments(call);
    const byName = args.keywords.get(name);
    if (byName) return byName;
    const callee = call.childForFieldName('function');
    const firstParam = fn.childForFieldName('parameters')?.namedChildren[0]?.text;
    const bound = callee?.type === 'attribute' && (firstParam === 'self' || firstParam === 'cls') ? 1 : 0;
    return args.positional[index - bound];
  }

  callSites(fn: Node): Node[] {
    this.callsByFunction ??= indexCallSites(new Query(this.facts.tree.language, '(call) @call'), this.facts.tree.rootNode, (c) => this.calledFunction(c));
    return this.callsByFunction.get(fn.id) ?? [];
  }

  returnValues(fn: Node): Node[] {
    if (fn.type === 'lambda') return [fn.childForFieldName('body')!].filter(Boolean);
    const out: Node[] = [];
    const visit = (n: Node) => {
      for (const c of n.namedChildren) {
        if (!c || SCOPE_TYPES.has(c.type) || c.type === 'class_definition') continue;
        if (c.type === 'return_statement') {
          const value = c.namedChildren[0];
          if (value) out.push(value);
        } else if (c.namedChildCount > 0 && !c.type.endsWith('expression')) visit(c);
      }
    };
    const body = fn.childForFieldName('body');
    if (body) visit(body);
    return out;
  }

  enclosingBlock(node: Node): Node | undefined {
    for (let n: Node | null = node.parent; n; n = n.parent) if (n.type === 'block' || n.type === 'module') return n;
    return undefined;
  }

  functionName(fn: Node): string {
    return `${fn.childForFieldName('name')?.text ?? 'lambda'}()`;
  }

  lineOf(node: Node): number {
    return node.startPosition.row + 1;
  }
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 50 ? `${flat.slice(0, 47)}…` : flat;
}

function decoratorsOf(fn: Node): Node[] {
  const parent = fn.parent;
  return parent?.type === 'decorated_definition' ? parent.namedChildren.filter((c): c is Node => c?.type === 'decorator') : [];
}

/** `self`, and FastAPI dependencies (`db = Depends(get_db)`), are not request data. */
function isSelfOrDependency(b: Extract<Binding, { kind: 'param' }>): boolean {
  if (b.index === 0 && (b.name === 'self' || b.name === 'cls')) return true;
  return /Depends\(|Security\(/.test(b.node.text);
}
