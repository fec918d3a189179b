// JavaScript/TypeScript name resolution: ES imports, `require`, destructuring and local
// aliases resolve to `<module>.<export>` names (`js-yaml.load`, `node-serialize.unserialize`),
// and unbound globals to `global.<name>` (`global.eval`).
import type { Node, Tree } from 'web-tree-sitter';
import type { LiteralValue } from './literals';
import { Scope, ScopeTree } from './scopes';

const SCOPE_TYPES = new Set(['program', 'function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'generator_function_declaration', 'generator_function']);

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

export class JavaScriptFacts {
  readonly scopes: ScopeTree;
  private readonly resolving = new Set<number>();
  private modules?: Set<string>;

  constructor(readonly tree: Tree) {
    const root = new Scope(tree.rootNode, undefined);
    this.scopes = new ScopeTree(root);
    this.collect(tree.rootNode, root);
  }

  private collect(node: Node, scope: Scope): void {
    for (const child of node.namedChildren) {
      if (!child) continue;
      let inner = scope;
      if (SCOPE_TYPES.has(child.type)) {
        const name = child.childForFieldName('name');
        if (name && child.type !== 'method_definition') scope.add({ kind: 'opaque', name: name.text, offset: child.startIndex });
        inner = new Scope(child, scope);
        this.scopes.register(inner);
        const params = child.childForFieldName('parameters') ?? child.childForFieldName('parameter');
        if (params) this.bindPattern(params, inner, child.startIndex);
      } else if (child.type === 'import_statement') {
        this.bindImport(child, scope);
      } else if (child.type === 'variable_declarator') {
        this.bindDeclarator(child, scope);
      } else if (child.type === 'class_declaration') {
        const name = child.childForFieldName('name');
        if (name) scope.add({ kind: 'opaque', name: name.text, offset: child.startIndex });
      }
      if (child.namedChildCount > 0) this.collect(child, inner);
    }
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
      if (value) scope.add({ kind: 'value', name: name.text, offset: node.startIndex, value });
      else scope.add({ kind: 'opaque', name: name.text, offset: node.startIndex });
      return;
    }
    if (name.type === 'object_pattern' && value) {
      // `const { load: l, dump } = require('js-yaml')` binds l → js-yaml.load, dump → js-yaml.dump.
      const base = this.resolve(value);
      for (const prop of name.namedChildren) {
        if (!prop) continue;
        if (prop.type === 'shorthand_property_identifier_pattern') {
          scope.add(base ? { kind: 'import', name: prop.text, offset: node.startIndex, qualified: `${base}.${prop.text}` } : { kind: 'opaque', name: prop.text, offset: node.startIndex });
        } else if (prop.type === 'pair_pattern') {
          const key = prop.childForFieldName('key');
          const target = prop.childForFieldName('value');
          if (key && target?.type === 'identifier') {
            const keyName = stringValue(key) ?? key.text;
            scope.add(base ? { kind: 'import', name: target.text, offset: node.startIndex, qualified: `${base}.${keyName}` } : { kind: 'opaque', name: target.text, offset: node.startIndex });
          } else if (target) this.bindPattern(target, scope, node.startIndex);
        } else this.bindPattern(prop, scope, node.startIndex);
      }
      return;
    }
    this.bindPattern(name, scope, node.startIndex);
  }

  private bindPattern(node: Node, scope: Scope, offset: number): void {
    if (node.type === 'identifier' || node.type === 'shorthand_property_identifier_pattern') {
      scope.add({ kind: 'opaque', name: node.text, offset });
      return;
    }
    if (node.type === 'type_annotation' || node.type === 'predefined_type') return;
    for (const c of node.namedChildren) if (c) this.bindPattern(c, scope, offset);
  }

  resolve(node: Node | null | undefined): string | undefined {
    if (!node || this.resolving.has(node.id)) return undefined;
    this.resolving.add(node.id);
    try {
      return this.resolveUncached(node);
    } finally {
      this.resolving.delete(node.id);
    }
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
