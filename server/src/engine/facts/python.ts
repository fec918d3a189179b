// Python name resolution and call facts, so rules can ask "is this `torch.load`?" however the
// code spells it: `import torch as t`, `from torch import load as l`, `loader = torch.load`,
// `importlib.import_module("torch")`, nested attribute chains, and `**{"key": value}` arguments.
import { Query, type Language, type Node, type Tree } from 'web-tree-sitter';
import { Scope, ScopeTree } from './scopes';
import { type LiteralValue } from './literals';

/** Node types that bind names or open a scope: the only ones the binding pass looks at. */
const BINDING_TYPES = [
  'import_statement', 'import_from_statement', 'function_definition', 'class_definition', 'lambda',
  'assignment', 'augmented_assignment', 'for_statement', 'for_in_clause', 'with_item', 'named_expression', 'except_clause',
];

const bindingQueries = new WeakMap<Language, Query>();
function bindingQuery(language: Language): Query {
  let query = bindingQueries.get(language);
  if (!query) {
    query = new Query(language, `[${BINDING_TYPES.map((t) => `(${t})`).join(' ')}] @binding`);
    bindingQueries.set(language, query);
  }
  return query;
}

const BUILTINS = new Set([
  'eval', 'exec', 'compile', 'open', 'input', '__import__', 'getattr', 'setattr', 'delattr', 'globals', 'locals', 'vars',
  'map', 'filter', 'print', 'len', 'dict', 'list', 'set', 'tuple', 'str', 'bytes', 'int', 'float', 'bool', 'type', 'object',
  'isinstance', 'breakpoint', 'memoryview', 'bytearray', 'iter', 'next', 'sorted', 'zip', 'range', 'enumerate',
]);

/** Names a call to these returns a module object for: `importlib.import_module("pickle")`. */
const DYNAMIC_IMPORTERS = new Set(['importlib.import_module', 'builtins.__import__']);

/** Qualified-name prefixes whose values are untrusted, with how to say so. */
const UNTRUSTED_ORIGINS: [string, string][] = [
  ['requests', 'an HTTP download'],
  ['httpx', 'an HTTP download'],
  ['urllib.request', 'a URL download'],
  ['urllib3', 'an HTTP download'],
  ['aiohttp', 'an HTTP download'],
  ['flask.request', 'an HTTP request'],
  ['django.http', 'an HTTP request'],
  ['fastapi.UploadFile', 'an uploaded file'],
  ['starlette.requests', 'an HTTP request'],
  ['builtins.input', 'user input'],
  ['sys.argv', 'the command line'],
  ['socket', 'a network socket'],
  ['boto3', 'cloud storage'],
];

export interface CallArguments {
  positional: Node[];
  keywords: Map<string, Node>;
  /** `*args` / `**kwargs` whose contents could not be resolved: an argument may hide in them. */
  unresolvedSplat: boolean;
}

function dottedText(node: Node): string {
  return node.text.replace(/\s+/g, '');
}

export class PythonFacts {
  readonly scopes: ScopeTree;
  private readonly resolving = new Set<number>();
  private readonly resolved = new Map<number, string | undefined>();

  constructor(readonly tree: Tree) {
    const root = new Scope(tree.rootNode, undefined);
    this.scopes = new ScopeTree(root);
    this.collect(tree, root);
  }

  /**
   * Finds every node that binds a name with ONE query (matching runs inside WASM and returns
   * only those nodes: far cheaper than walking every node from JavaScript), in document order,
   * and tracks the enclosing scope by offsets.
   */
  private collect(tree: Tree, root: Scope): void {
    const query = bindingQuery(tree.language);
    const open: Scope[] = [root];
    for (const { node } of query.captures(tree.rootNode)) {
      while (open.length > 1 && node.startIndex >= open[open.length - 1].end) open.pop();
      const inner = this.bind(node, open[open.length - 1]);
      if (inner) open.push(inner);
    }
  }

  /** Records what `node` binds in `scope`; returns the new scope when `node` opens one. */
  private bind(node: Node, scope: Scope): Scope | undefined {
    switch (node.type) {
      case 'import_statement':
        this.bindImport(node, scope);
        return undefined;
      case 'import_from_statement':
        this.bindFromImport(node, scope);
        return undefined;
      case 'function_definition':
      case 'class_definition': {
        const name = node.childForFieldName('name');
        if (name) scope.add({ kind: 'opaque', name: name.text, offset: node.startIndex, node });
        const inner = new Scope(node, scope);
        this.scopes.register(inner);
        if (node.type === 'function_definition') this.bindParameters(node, inner);
        return inner;
      }
      case 'lambda': {
        const inner = new Scope(node, scope);
        this.scopes.register(inner);
        this.bindParameters(node, inner);
        return inner;
      }
      case 'assignment':
        this.bindAssignment(node, scope);
        return undefined;
      case 'augmented_assignment': {
        const left = node.childForFieldName('left');
        if (left?.type === 'identifier') scope.add({ kind: 'value', name: left.text, offset: node.endIndex, value: node });
        return undefined;
      }
      case 'for_statement':
      case 'for_in_clause': {
        // The loop variable is an element of the iterable; it is bound before the body runs.
        const right = node.childForFieldName('right');
        const left = node.childForFieldName('left');
        if (right) this.bindElements(left, scope, left?.endIndex ?? node.startIndex, right);
        else this.bindTargets(left, scope, node.startIndex);
        return undefined;
      }
      case 'with_item': {
        const value = node.childForFieldName('value');
        if (value?.type === 'as_pattern') {
          const target = value.namedChildren.find((c) => c?.type === 'as_pattern_target');
          const source = value.namedChildren[0];
          if (source && target) this.bindElements(target, scope, node.endIndex, source, true);
        }
        return undefined;
      }
      case 'named_expression': {
        const name = node.childForFieldName('name');
        const value = node.childForFieldName('value');
        if (name && value) scope.add({ kind: 'value', name: name.text, offset: node.endIndex, value });
        return undefined;
      }
      case 'except_clause': {
        const alias = node.namedChildren.find((c) => c?.type === 'as_pattern')?.namedChildren.find((c) => c?.type === 'as_pattern_target');
        this.bindTargets(alias ?? null, scope, node.startIndex);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private bindImport(node: Node, scope: Scope): void {
    for (const item of node.childrenForFieldName('name')) {
      if (!item) continue;
      if (item.type === 'aliased_import') {
        const module = item.childForFieldName('name');
        const alias = item.childForFieldName('alias');
        if (module && alias) scope.add({ kind: 'import', name: alias.text, offset: node.startIndex, qualified: dottedText(module) });
      } else {
        // `import a.b.c` binds `a` to the top-level package.
        const top = dottedText(item).split('.')[0];
        scope.add({ kind: 'import', name: top, offset: node.startIndex, qualified: top });
      }
    }
  }

  private bindFromImport(node: Node, scope: Scope): void {
    const moduleNode = node.childForFieldName('module_name');
    if (!moduleNode) return;
    const module = dottedText(moduleNode);
    if (module.startsWith('.')) return; // relative imports name this project's own modules
    if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) {
      scope.starImports.push(module);
      return;
    }
    for (const item of node.childrenForFieldName('name')) {
      if (!item) continue;
      if (item.type === 'aliased_import') {
        const name = item.childForFieldName('name');
        const alias = item.childForFieldName('alias');
        if (name && alias) scope.add({ kind: 'import', name: alias.text, offset: node.startIndex, qualified: `${module}.${dottedText(name)}` });
      } else {
        scope.add({ kind: 'import', name: dottedText(item), offset: node.startIndex, qualified: `${module}.${dottedText(item)}` });
      }
    }
  }

  private bindParameters(fn: Node, scope: Scope): void {
    const params = fn.childForFieldName('parameters');
    if (!params) return;
    let index = 0;
    for (const p of params.namedChildren) {
      if (!p || p.type === 'keyword_separator' || p.type === 'positional_separator' || p.type === 'comment') continue;
      const name = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier'));
      if (name) scope.add({ kind: 'param', name: name.text, offset: params.startIndex, fn, index, node: p });
      index++;
    }
  }

  private bindAssignment(node: Node, scope: Scope): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left) return;
    if (!right) {
      this.bindTargets(left, scope, node.endIndex); // a bare annotation: `x: int`
      return;
    }
    if (left.type === 'identifier') {
      scope.add({ kind: 'value', name: left.text, offset: node.endIndex, value: right });
      return;
    }
    // `a, b = pickle.load, pickle.loads` binds element-wise when both sides are tuples.
    if ((left.type === 'pattern_list' || left.type === 'tuple_pattern') && (right.type === 'expression_list' || right.type === 'tuple')) {
      const targets = left.namedChildren;
      const values = right.namedChildren;
      if (targets.length === values.length) {
        targets.forEach((t, i) => {
          const v = values[i];
          if (t?.type === 'identifier' && v) scope.add({ kind: 'value', name: t.text, offset: node.endIndex, value: v });
          else if (v) this.bindElements(t, scope, node.endIndex, v);
        });
        return;
      }
    }
    this.bindElements(left, scope, node.endIndex, right);
  }

  /** Binds every identifier in a target pattern as an element of `value` (unpacking, loops, `with`). */
  private bindElements(target: Node | null, scope: Scope, offset: number, value: Node, alias = false): void {
    if (!target) return;
    if (target.type === 'identifier') {
      scope.add({ kind: 'element', name: target.text, offset, value, alias });
      return;
    }
    if (target.type === 'attribute' || target.type === 'subscript') return;
    for (const c of target.namedChildren) if (c) this.bindElements(c, scope, offset, value, alias && target.type === 'as_pattern_target');
  }

  /** Binds every identifier in a target as opaque (it shadows outer names). */
  private bindTargets(target: Node | null, scope: Scope, offset: number): void {
    if (!target) return;
    if (target.type === 'identifier') {
      scope.add({ kind: 'opaque', name: target.text, offset });
      return;
    }
    if (target.type === 'attribute' || target.type === 'subscript') return;
    for (const c of target.namedChildren) this.bindTargets(c, scope, offset);
  }

  /**
   * The fully qualified name an expression refers to (`pickle.load`, `torch.load`,
   * `builtins.eval`), or undefined when it is local, dynamic or unknown. Calls resolve to
   * `<callee>()` so instances can be followed: `y = YAML(typ="unsafe"); y.load` is `ruamel.yaml.YAML().load`.
   */
  resolve(node: Node | null | undefined): string | undefined {
    if (!node) return undefined;
    if (this.resolved.has(node.id)) return this.resolved.get(node.id);
    if (this.resolving.has(node.id)) return undefined; // `x = x.y` cycles
    this.resolving.add(node.id);
    let result: string | undefined;
    try {
      result = this.resolveUncached(node);
    } finally {
      this.resolving.delete(node.id);
    }
    this.resolved.set(node.id, result);
    return result;
  }

  private resolveUncached(node: Node): string | undefined {
    switch (node.type) {
      case 'identifier':
        return this.resolveName(node.text, node);
      case 'attribute': {
        const base = this.resolve(node.childForFieldName('object'));
        const attr = node.childForFieldName('attribute');
        return base && attr ? `${base}.${attr.text}` : undefined;
      }
      case 'parenthesized_expression':
        return this.resolve(node.namedChildren[0]);
      case 'call': {
        const callee = this.resolve(node.childForFieldName('function'));
        if (!callee) return undefined;
        if (DYNAMIC_IMPORTERS.has(callee)) {
          const first = this.callArguments(node).positional[0];
          const name = first ? this.literal(first) : undefined;
          return typeof name?.value === 'string' ? name.value : undefined;
        }
        return `${callee}()`;
      }
      default:
        return undefined;
    }
  }

  private resolveName(name: string, at: Node): string | undefined {
    const scope = this.scopes.scopeAt(at);
    const binding = scope.lookup(name, at.startIndex);
    if (!binding) {
      if (BUILTINS.has(name)) return `builtins.${name}`;
      const star = scope.starImportFor();
      return star ? `${star}.${name}` : undefined;
    }
    if (binding.kind === 'import') return binding.qualified;
    if (binding.kind === 'value' || (binding.kind === 'element' && binding.alias)) return this.resolve(binding.value);
    if (binding.kind === 'param') {
      // `df: pd.DataFrame` / `client: OpenAI`: an annotated parameter is an instance of its type.
      const annotation = binding.node.childForFieldName('type');
      const type = annotation ? this.resolve(annotation.namedChildren[0] ?? annotation) : undefined;
      return type ? `${type}()` : undefined;
    }
    return undefined;
  }

  /** The expression a plain variable was last assigned before `at`, if any. */
  valueOf(identifier: Node): Node | undefined {
    if (identifier.type !== 'identifier') return undefined;
    const binding = this.scopes.scopeAt(identifier).lookup(identifier.text, identifier.startIndex);
    return binding?.kind === 'value' ? binding.value : undefined;
  }

  /** Follows variables to the expression that produced them (bounded, cycle-safe). */
  definition(node: Node): Node {
    let current = node;
    for (let i = 0; i < 8; i++) {
      if (current.type === 'parenthesized_expression' && current.namedChildren[0]) {
        current = current.namedChildren[0];
        continue;
      }
      const next = this.valueOf(current);
      if (!next || next.id === current.id) break;
      current = next;
    }
    return current;
  }

  callArguments(call: Node): CallArguments {
    const result: CallArguments = { positional: [], keywords: new Map(), unresolvedSplat: false };
    const args = call.childForFieldName('arguments');
    if (!args || args.type !== 'argument_list') return result;
    for (const arg of args.namedChildren) {
      if (!arg || arg.type === 'comment') continue;
      if (arg.type === 'keyword_argument') {
        const name = arg.childForFieldName('name');
        const value = arg.childForFieldName('value');
        if (name && value) result.keywords.set(name.text, value);
      } else if (arg.type === 'dictionary_splat') {
        const inner = arg.namedChildren[0];
        const dict = inner ? this.definition(inner) : undefined;
        if (!dict || !this.mergeDictionary(dict, result.keywords)) result.unresolvedSplat = true;
      } else if (arg.type === 'list_splat') {
        result.unresolvedSplat = true;
      } else {
        result.positional.push(arg);
      }
    }
    return result;
  }

  /** Adds the literal-keyed entries of `{"k": v}` or `dict(k=v)` to `into`; false if not such a dict. */
  private mergeDictionary(node: Node, into: Map<string, Node>): boolean {
    if (node.type === 'dictionary') {
      for (const pair of node.namedChildren) {
        if (pair?.type !== 'pair') return false;
        const key = pair.childForFieldName('key');
        const value = pair.childForFieldName('value');
        const keyValue = key ? this.literal(key) : undefined;
        if (typeof keyValue?.value !== 'string' || !value) return false;
        into.set(keyValue.value, value);
      }
      return true;
    }
    if (node.type === 'call' && this.resolve(node.childForFieldName('function')) === 'builtins.dict') {
      const inner = this.callArguments(node);
      if (inner.positional.length > 0 || inner.unresolvedSplat) return false;
      for (const [k, v] of inner.keywords) into.set(k, v);
      return true;
    }
    return false;
  }

  /** The argument at `position` or named `keyword`, whichever the call uses. */
  argument(call: Node, keyword: string, position?: number): Node | undefined {
    const args = this.callArguments(call);
    return args.keywords.get(keyword) ?? (position === undefined ? undefined : args.positional[position]);
  }

  /** The value of a literal expression (following simple variables), or undefined. */
  literal(node: Node): LiteralValue | undefined {
    const n = this.definition(node);
    switch (n.type) {
      case 'true':
        return { value: true };
      case 'false':
        return { value: false };
      case 'none':
        return { value: null };
      case 'integer':
      case 'float': {
        const v = Number(n.text.replace(/_/g, ''));
        return Number.isFinite(v) ? { value: v } : undefined;
      }
      case 'string':
        return stringLiteral(n);
      case 'concatenated_string': {
        let out = '';
        for (const part of n.namedChildren) {
          const v = part ? stringLiteral(part) : undefined;
          if (v === undefined) return undefined;
          out += v.value;
        }
        return { value: out };
      }
      case 'unary_operator': {
        const operand = n.childForFieldName('argument');
        const v = operand ? this.literal(operand) : undefined;
        return typeof v?.value === 'number' && n.text.trim().startsWith('-') ? { value: -v.value } : undefined;
      }
      default:
        return undefined;
    }
  }

  /** Whether the expression is, or is a variable bound to, a call that resolves to one of `names`. */
  isCallTo(node: Node, names: (qualified: string) => boolean): boolean {
    const def = this.definition(node);
    if (def.type !== 'call') return false;
    const callee = this.resolve(def.childForFieldName('function'));
    return callee !== undefined && names(callee);
  }

  /**
   * A short description of where a value comes from when that is plainly untrusted (an HTTP
   * request or download, user input, the command line), found by following variables and
   * looking inside the expression. A stand-in for full taint tracking: it only raises confidence.
   */
  untrustedOrigin(node: Node, depth = 0): string | undefined {
    if (depth > 6) return undefined;
    const def = this.definition(node);
    const name = def.type === 'call' ? this.resolve(def.childForFieldName('function')) : this.resolve(def);
    if (name) {
      const origin = UNTRUSTED_ORIGINS.find(([prefix]) => name === prefix || name.startsWith(prefix + '.') || name.startsWith(prefix + '()'));
      if (origin) return `${origin[1]} (\`${name}\`)`;
    }
    for (const child of def.namedChildren) {
      if (!child || child.type === 'comment') continue;
      const found = this.untrustedOrigin(child, depth + 1);
      if (found) return found;
    }
    return undefined;
  }

  /** The innermost enclosing function (or the module) of a node. */
  enclosingFunction(node: Node): Node {
    for (let n: Node | null = node.parent; n; n = n.parent) if (n.type === 'function_definition' || n.type === 'lambda') return n;
    return this.tree.rootNode;
  }
}

/** A plain string literal's value; undefined for f-strings with interpolations. */
function stringLiteral(node: Node): { value: string } | undefined {
  if (node.type !== 'string') return undefined;
  let out = '';
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (c.type === 'interpolation') return undefined;
    if (c.type === 'string_content') out += c.text;
    else if (c.type === 'escape_sequence') out += unescape(c.text);
  }
  return { value: out };
}

function unescape(seq: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"' };
  const ch = seq.slice(1);
  if (ch in simple) return simple[ch];
  if (/^x[0-9a-fA-F]{2}$/.test(ch) || /^u[0-9a-fA-F]{4}$/.test(ch)) return String.fromCharCode(parseInt(ch.slice(1), 16));
  return seq;
}
