// JavaScript/TypeScript name resolution: ES imports, `require`, destructuring and local
// aliases resolve to `<module>.<export>` names (`js-yaml.load`, `node-serialize.unserialize`),
// and unbound globals to `global.<name>` (`global.eval`).
import { Query, type Language, type Node, type Tree } from 'web-tree-sitter';
import type { LiteralValue } from './literals';
import { Scope, ScopeTree } from './scopes';

const FUNCTION_TYPES = new Set(['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'generator_function_declaration', 'generator_function']);

/** Node types that bind names or open a scope: the only ones the binding pass looks at. */
const BINDING_TYPES = [
  ...FUNCTION_TYPES, 'class_declaration', 'import_statement', 'variable_declarator', 'for_in_statement',
  'assignment_expression', 'augmented_assignment_expression', 'catch_clause',
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

export function stringValue(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'string') {
    return node.namedChildren.map((c) => (c?.type === 'string_fragment' ? c.text : c?.type === 'escape_sequence' ? c.text.slice(1) : '')).join('');
  }
  if (node.type === 'template_string' && !node.namedChildren.some((c) => c?.type === 'template_substitution')) {
    return node.text.slice(1, -1);
  }
  return undefined;
}

/** The identifiers a binding pattern introduces (`{ a, b: c, ...d }`, `[x, = y]`, `z: string`). */
function patternIdentifiers(pattern: Node): Node[] {
  const out: Node[] = [];
  const visit = (n: Node) => {
    switch (n.type) {
      case 'identifier':
      case 'shorthand_property_identifier_pattern':
        out.push(n);
        return;
      case 'pair_pattern': {
        const value = n.childForFieldName('value');
        if (value) visit(value);
        return;
      }
      case 'assignment_pattern':
      case 'object_assignment_pattern': {
        const left = n.childForFieldName('left');
        if (left) visit(left);
        return;
      }
      case 'required_parameter':
      case 'optional_parameter': {
        const inner = n.childForFieldName('pattern');
        if (inner) visit(inner);
        return;
      }
      case 'type_annotation':
      case 'predefined_type':
      case 'this':
      case 'member_expression':
      case 'subscript_expression':
        return;
      default:
        for (const c of n.namedChildren) if (c) visit(c);
    }
  };
  visit(pattern);
  return out;
}

export class JavaScriptFacts {
  readonly scopes: ScopeTree;
  private readonly resolving = new Set<number>();
  private readonly resolved = new Map<number, string | undefined>();
  private modules?: Set<string>;

  constructor(readonly tree: Tree) {
    const root = new Scope(tree.rootNode, undefined);
    this.scopes = new ScopeTree(root);
    this.collect(tree, root);
  }

  /** One query finds every binding node in document order; scopes are tracked by offsets. */
  private collect(tree: Tree, root: Scope): void {
    const open: Scope[] = [root];
    for (const { node } of bindingQuery(tree.language).captures(tree.rootNode)) {
      while (open.length > 1 && node.startIndex >= open[open.length - 1].end) open.pop();
      const inner = this.bind(node, open[open.length - 1]);
      if (inner) open.push(inner);
    }
  }

  /** Records what `node` binds in `scope`; returns the new scope when `node` opens one. */
  private bind(node: Node, scope: Scope): Scope | undefined {
    if (FUNCTION_TYPES.has(node.type)) {
      const name = node.childForFieldName('name');
      if (name && node.type !== 'method_definition' && node.type !== 'function_expression') scope.add({ kind: 'opaque', name: name.text, offset: node.startIndex, node });
      const inner = new Scope(node, scope);
      this.scopes.register(inner);
      this.bindParameters(node, inner);
      return inner;
    }
    switch (node.type) {
      case 'class_declaration': {
        const name = node.childForFieldName('name');
        if (name) scope.add({ kind: 'opaque', name: name.text, offset: node.startIndex });
        break;
      }
      case 'import_statement':
        this.bindImport(node, scope);
        break;
      case 'variable_declarator':
        this.bindDeclarator(node, scope);
        break;
      case 'for_in_statement': {
        // `for (const doc of docs)`: the loop variable is an element of the iterable.
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (left && right) this.bindElements(left, scope, left.endIndex, right);
        break;
      }
      case 'assignment_expression': {
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right) break;
        const target = this.declaringScope(left, scope);
        if (left.type === 'identifier') target.add({ kind: 'value', name: left.text, offset: node.endIndex, value: right });
        // `[a, b] = …` / `({ a } = …)` destructure; `obj.prop = …` writes a property and binds no name.
        else if (left.type === 'array_pattern' || left.type === 'object_pattern') this.bindElements(left, target, node.endIndex, right);
        break;
      }
      case 'augmented_assignment_expression': {
        const left = node.childForFieldName('left');
        if (left?.type === 'identifier') this.declaringScope(left, scope).add({ kind: 'value', name: left.text, offset: node.endIndex, value: node });
        break;
      }
      case 'catch_clause': {
        const param = node.childForFieldName('parameter');
        if (param) this.bindPattern(param, scope, node.startIndex);
        break;
      }
    }
    return undefined;
  }

  /** Assigning to a name updates the scope that declared it (an outer `let` assigned in a callback). */
  private declaringScope(left: Node, scope: Scope): Scope {
    if (left.type !== 'identifier') return scope;
    return scope.bindingsOf(left.text)?.scope ?? scope;
  }

  private bindParameters(fn: Node, scope: Scope): void {
    const params = fn.childForFieldName('parameters');
    const single = fn.childForFieldName('parameter'); // `x => …`
    const list = params ? params.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : single ? [single] : [];
    list.forEach((param, index) => {
      for (const id of patternIdentifiers(param)) scope.add({ kind: 'param', name: id.text, offset: fn.startIndex, fn, index, node: param });
    });
  }

  /** Binds every identifier in a destructuring pattern as an element of `value`. */
  private bindElements(pattern: Node, scope: Scope, offset: number, value: Node): void {
    for (const id of patternIdentifiers(pattern)) scope.add({ kind: 'element', name: id.text, offset, value });
  }

  private bindImport(node: Node, scope: Scope): void {
    const module = stringValue(node.childForFieldName('source'));
    const clause = node.namedChildren.find((c) => c?.type === 'import_clause');
    if (!module || !clause) return;
    for (const part of clause.namedChildren) {
      if (!part) continue;
      if (part.type === 'identifier') {
        // Default imports of CommonJS modules are the module object itself.
        scope.add({ kind: 'import', name: part.text, offset: node.startIndex, qualified: module });
      } else if (part.type === 'namespace_import') {
        const id = part.namedChildren.find((c) => c?.type === 'identifier');
        if (id) scope.add({ kind: 'import', name: id.text, offset: node.startIndex, qualified: module });
      } else if (part.type === 'named_imports') {
        for (const spec of part.namedChildren) {
          if (spec?.type !== 'import_specifier') continue;
          const name = spec.childForFieldName('name');
          const alias = spec.childForFieldName('alias') ?? name;
          if (name && alias) {
            const exported = stringValue(name) ?? name.text;
            scope.add({ kind: 'import', name: alias.text, offset: node.startIndex, qualified: exported === 'default' ? module : `${module}.${exported}` });
          }
        }
      }
    }
  }

  private bindDeclarator(node: Node, scope: Scope): void {
    const name = node.childForFieldName('name');
    const value = node.childForFieldName('value');
    if (!name) return;
    if (name.type === 'identifier') {
      if (value) scope.add({ kind: 'value', name: name.text, offset: node.endIndex, value });
      else scope.add({ kind: 'opaque', name: name.text, offset: node.startIndex });
      return;
    }
    if (name.type === 'object_pattern' && value) {
      // `const { load: l, dump } = require('js-yaml')` binds l → js-yaml.load, dump → js-yaml.dump.
      // Destructuring a module (`require('js-yaml')`, an import) binds its exports; destructuring
      // a value (`await generateText(...)`) binds elements of that value.
      const base = this.resolve(value);
      const fromModule = base !== undefined && !base.includes('()');
      for (const prop of name.namedChildren) {
        if (!prop) continue;
        if (prop.type === 'shorthand_property_identifier_pattern') {
          scope.add(fromModule ? { kind: 'import', name: prop.text, offset: node.endIndex, qualified: `${base}.${prop.text}` } : { kind: 'element', name: prop.text, offset: node.endIndex, value, key: prop.text });
        } else if (prop.type === 'pair_pattern') {
          const key = prop.childForFieldName('key');
          const target = prop.childForFieldName('value');
          if (key && target?.type === 'identifier') {
            const keyName = stringValue(key) ?? key.text;
            scope.add(fromModule ? { kind: 'import', name: target.text, offset: node.endIndex, qualified: `${base}.${keyName}` } : { kind: 'element', name: target.text, offset: node.endIndex, value, key: keyName });
          } else if (target) this.bindElements(target, scope, node.endIndex, value);
        } else this.bindElements(prop, scope, node.endIndex, value);
      }
      return;
    }
    if (value) this.bindElements(name, scope, node.endIndex, value);
    else this.bindPattern(name, scope, node.startIndex);
  }

  private bindPattern(node: Node, scope: Scope, offset: number): void {
    for (const id of patternIdentifiers(node)) scope.add({ kind: 'opaque', name: id.text, offset });
  }

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

  /** A type name in an annotation (`Pool`, `pg.Pool`) through the imports that bind it. */
  private resolveTypeName(node: Node): string | undefined {
    const [first, ...rest] = node.text.split('.');
    const binding = this.scopes.scopeAt(node).lookup(first, node.startIndex);
    if (binding?.kind !== 'import') return undefined;
    return [binding.qualified, ...rest].join('.');
  }

  private resolveUncached(node: Node): string | undefined {
    switch (node.type) {
      // `{ schema }` reads the variable `schema`.
      case 'shorthand_property_identifier':
      case 'identifier': {
        const binding = this.scopes.scopeAt(node).lookup(node.text, node.startIndex);
        if (!binding) return `global.${node.text}`;
        if (binding.kind === 'import') return binding.qualified;
        if (binding.kind === 'value') return this.resolve(binding.value);
        if (binding.kind === 'element' && binding.key) {
          const base = this.resolve(binding.value);
          return base ? `${base}.${binding.key}` : undefined;
        }
        if (binding.kind === 'param') {
          // `pool: Pool` / `client: OpenAI`: an annotated parameter is an instance of its type.
          const annotation = binding.node.childForFieldName('type')?.namedChildren[0];
          const type = annotation && (annotation.type === 'type_identifier' || annotation.type === 'identifier' || annotation.type === 'nested_type_identifier') ? this.resolveTypeName(annotation) : undefined;
          return type ? `${type}()` : undefined;
        }
        return undefined;
      }
      case 'member_expression': {
        const base = this.resolve(node.childForFieldName('object'));
        const prop = node.childForFieldName('property');
        return base && prop ? `${base}.${prop.text}` : undefined;
      }
      case 'subscript_expression': {
        const base = this.resolve(node.childForFieldName('object'));
        const key = stringValue(node.childForFieldName('index'));
        return base && key ? `${base}.${key}` : undefined;
      }
      case 'parenthesized_expression':
      case 'await_expression':
      case 'non_null_expression':
      case 'as_expression':
      case 'satisfies_expression':
        return this.resolve(node.namedChildren[0]);
      case 'call_expression': {
        const fn = node.childForFieldName('function');
        const callee = fn?.type === 'import' ? 'global.import' : this.resolve(fn);
        if (callee === 'global.require' || callee === 'global.import') {
          const args = node.childForFieldName('arguments');
          return stringValue(args?.namedChildren[0]);
        }
        return callee ? `${callee}()` : undefined;
      }
      case 'new_expression': {
        const callee = this.resolve(node.childForFieldName('constructor'));
        return callee ? `${callee}()` : undefined;
      }
      default:
        return undefined;
    }
  }

  /** Follows `const x = <expr>` bindings to the expression that produced a value. */
  definition(node: Node): Node {
    let current = node;
    for (let i = 0; i < 8; i++) {
      if ((current.type === 'parenthesized_expression' || current.type === 'await_expression') && current.namedChildren[0]) {
        current = current.namedChildren[0];
        continue;
      }
      if (current.type !== 'identifier' && current.type !== 'shorthand_property_identifier') break;
      const binding = this.scopes.scopeAt(current).lookup(current.text, current.startIndex);
      if (binding?.kind !== 'value') break;
      current = binding.value;
    }
    return current;
  }

  /** Whether the file imports or requires `module` anywhere, bound to a name or not. */
  importsModule(module: string): boolean {
    if (!this.modules) {
      const found = new Set<string>();
      // An explicit stack: long concatenation chains nest deeper than the call stack allows.
      const stack: Node[] = [this.tree.rootNode];
      for (let node = stack.pop(); node; node = stack.pop()) {
        if (node.type === 'import_statement') {
          const source = stringValue(node.childForFieldName('source'));
          if (source) found.add(source);
        } else if (node.type === 'call_expression') {
          const fn = node.childForFieldName('function');
          if (fn?.type === 'import' || (fn?.type === 'identifier' && fn.text === 'require')) {
            const source = stringValue(node.childForFieldName('arguments')?.namedChildren[0]);
            if (source) found.add(source);
          }
        }
        for (const child of node.namedChildren) if (child) stack.push(child);
      }
      this.modules = found;
    }
    return this.modules.has(module);
  }

  callArguments(call: Node): Node[] {
    const args = call.childForFieldName('arguments');
    return args ? (args.namedChildren.filter((c) => c && c.type !== 'comment') as Node[]) : [];
  }

  /** The value node of `key` in an object literal (following variables), if present. */
  property(objectNode: Node | undefined, key: string): Node | undefined {
    if (!objectNode) return undefined;
    const obj = this.definition(objectNode);
    if (obj.type !== 'object') return undefined;
    for (const member of obj.namedChildren) {
      if (member?.type === 'pair') {
        const k = member.childForFieldName('key');
        if (k && (stringValue(k) ?? k.text) === key) return member.childForFieldName('value') ?? undefined;
      } else if (member?.type === 'shorthand_property_identifier' && member.text === key) {
        return member;
      }
    }
    return undefined;
  }

  literal(node: Node): LiteralValue | undefined {
    const n = this.definition(node);
    if (n.type === 'true') return { value: true };
    if (n.type === 'false') return { value: false };
    if (n.type === 'null' || (n.type === 'undefined')) return { value: null };
    if (n.type === 'number') return { value: Number(n.text) };
    const s = stringValue(n);
    return s === undefined ? undefined : { value: s };
  }
}
