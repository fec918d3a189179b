// Checks that guard a sink in the same function: "is this call only reached after `name in
// TOOLS`?", "…after the URL's host was compared with an allow-list?", "…after the resolved path
// was checked to stay under the base directory?". A rule says what one atomic condition means for
// the value it cares about (a `Judge`); this module knows where conditions sit relative to the
// call: the branch the call is in, an earlier `if` that leaves the function or loop, an `assert`,
// `ok and f()` / `ok ? f() : g()`. Python and JavaScript/TypeScript trees alike.
import type { Node } from 'web-tree-sitter';
import type { RuleContext } from '../engine/rule';
import { isPython } from './llm';

/**
 * What an atomic condition says about the checked value when the condition is TRUE:
 * 'allows' — it passed the check (`name in TOOLS`, `target.is_relative_to(BASE)`);
 * 'rejects' — it failed it (`name not in TOOLS`, `TOOLS.get(name) is None`).
 */
export type Verdict = 'allows' | 'rejects' | undefined;
export type Judge = (atom: Node) => Verdict;

const FUNCTIONS = new Set([
  'function_definition', 'lambda',
  'function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'generator_function_declaration', 'generator_function',
]);
const BLOCKS = new Set(['block', 'module', 'statement_block', 'program']);
const EXITS = new Set(['return_statement', 'raise_statement', 'throw_statement', 'continue_statement', 'break_statement']);

/** Whether `site` only runs when a condition the judge accepts held, looking no further than its function. */
export function isGuarded(site: Node, judge: Judge): boolean {
  let child = site;
  for (let node = site.parent; node; child = node, node = node.parent) {
    if (guardsChild(node, child, judge)) return true;
    if (FUNCTIONS.has(node.type)) return false;
  }
  return false;
}

function guardsChild(node: Node, child: Node, judge: Judge): boolean {
  const field = (name: string) => node.childForFieldName(name);
  const is = (n: Node | null | undefined) => !!n && n.id === child.id;
  switch (node.type) {
    case 'if_statement': {
      const condition = field('condition');
      if (!condition) return false;
      if (is(field('consequence'))) return holds(condition, true, judge);
      // An `else` (or Python `elif`) branch runs when this condition, and earlier elifs, were false.
      const alternatives = node.childrenForFieldName('alternative').filter((c): c is Node => !!c);
      const at = alternatives.findIndex((c) => c.id === child.id);
      if (at < 0) return false;
      if (holds(condition, false, judge)) return true;
      return alternatives.slice(0, at).some((elif) => elif.type === 'elif_clause' && !!elif.childForFieldName('condition') && holds(elif.childForFieldName('condition')!, false, judge));
    }
    case 'elif_clause': {
      const condition = field('condition');
      return !!condition && is(field('consequence')) && holds(condition, true, judge);
    }
    case 'conditional_expression': {
      // Python `body if condition else other`.
      const [body, condition, other] = node.namedChildren;
      if (!condition) return false;
      if (is(body)) return holds(condition, true, judge);
      return is(other) && holds(condition, false, judge);
    }
    case 'ternary_expression': {
      const condition = field('condition');
      if (!condition) return false;
      if (is(field('consequence'))) return holds(condition, true, judge);
      return is(field('alternative')) && holds(condition, false, judge);
    }
    case 'boolean_operator':
    case 'binary_expression': {
      // `ok and f()`, `ok && f()`, `bad || f()`: the right side runs after the left side decided.
      const left = field('left');
      const op = field('operator')?.text;
      if (!left || !is(field('right'))) return false;
      if (op === 'and' || op === '&&') return holds(left, true, judge);
      if (op === 'or' || op === '||') return holds(left, false, judge);
      return false;
    }
    default:
      if (!BLOCKS.has(node.type)) return false;
      // Earlier statements of the same block: `if name not in TOOLS: return`, `assert ok`.
      for (const stmt of node.namedChildren) {
        if (!stmt || stmt.startIndex >= child.startIndex) break;
        if (stmt.type === 'if_statement' && exits(stmt.childForFieldName('consequence'))) {
          const condition = stmt.childForFieldName('condition');
          if (condition && holds(condition, false, judge)) return true;
        }
        if (stmt.type === 'assert_statement' && stmt.namedChildren[0] && holds(stmt.namedChildren[0], true, judge)) return true;
      }
      return false;
  }
}

/** Whether a branch always leaves: its last statement returns, raises, throws, continues or breaks. */
function exits(body: Node | null): boolean {
  if (!body) return false;
  if (EXITS.has(body.type)) return true;
  if (body.type === 'block' || body.type === 'statement_block') {
    const statements = body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    return exits(statements[statements.length - 1] ?? null);
  }
  return false;
}

/** Whether `condition` having the value `truth` means the judge's check passed. */
function holds(condition: Node, truth: boolean, judge: Judge): boolean {
  const atoms: [Node, boolean][] = [];
  implied(condition, truth, atoms, 0);
  return atoms.some(([atom, value]) => {
    const verdict = judge(atom);
    return (verdict === 'allows' && value) || (verdict === 'rejects' && !value);
  });
}

/** The atoms whose truth value is known when `node` evaluates to `truth` (through not, and, or). */
function implied(node: Node, truth: boolean, out: [Node, boolean][], depth: number): void {
  if (depth > 12) return;
  switch (node.type) {
    case 'parenthesized_expression': {
      const inner = node.namedChildren.find((c) => c?.type !== 'comment');
      if (inner) implied(inner, truth, out, depth + 1);
      return;
    }
    case 'not_operator': {
      const arg = node.childForFieldName('argument');
      if (arg) implied(arg, !truth, out, depth + 1);
      return;
    }
    case 'unary_expression': {
      const arg = node.childForFieldName('argument');
      if (node.childForFieldName('operator')?.text === '!' && arg) implied(arg, !truth, out, depth + 1);
      else out.push([node, truth]);
      return;
    }
    case 'boolean_operator':
    case 'binary_expression': {
      const op = node.childForFieldName('operator')?.text;
      const sides = [node.childForFieldName('left'), node.childForFieldName('right')].filter((c): c is Node => !!c);
      // `a and b` true: both true; `a or b` false: both false. Otherwise nothing is certain.
      if (((op === 'and' || op === '&&') && truth) || ((op === 'or' || op === '||') && !truth)) {
        for (const side of sides) implied(side, truth, out, depth + 1);
        return;
      }
      if (op === 'and' || op === 'or' || op === '&&' || op === '||' || op === '??') return;
      out.push([node, truth]);
      return;
    }
    default:
      out.push([node, truth]);
  }
}

// Vocabulary for judges.

/** The operator of a comparison (`in`, `not in`, `is not`, `===`), whitespace-normalized. */
export function comparisonOperator(node: Node): string | undefined {
  if (node.type === 'binary_expression') return node.childForFieldName('operator')?.text;
  if (node.type !== 'comparison_operator') return undefined;
  const [left, right] = node.namedChildren;
  if (!left || !right) return undefined;
  return node.text.slice(left.endIndex - node.startIndex, right.startIndex - node.startIndex).replace(/\s+/g, ' ').trim();
}

/** The two operands of a comparison. */
export function operands(node: Node): [Node, Node] | undefined {
  const left = node.type === 'binary_expression' ? node.childForFieldName('left') : node.namedChildren[0];
  const right = node.type === 'binary_expression' ? node.childForFieldName('right') : node.namedChildren[1];
  return left && right ? [left, right] : undefined;
}

/** Identifiers read in an expression (not attribute or property names), bounded. */
export function identifiersIn(node: Node, limit = 400): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [node];
  let seen = 0;
  for (let n = stack.pop(); n && seen < limit; n = stack.pop(), seen++) {
    if (n.type === 'identifier' || n.type === 'shorthand_property_identifier') {
      // Python `obj.attr`: the attribute is an identifier too, but it is not a variable.
      if (!(n.parent?.type === 'attribute' && n.parent.childForFieldName('attribute')?.id === n.id)) out.push(n);
      continue;
    }
    if (FUNCTIONS.has(n.type)) continue;
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out;
}

export function namesIn(node: Node): Set<string> {
  return new Set(identifiersIn(node).map((n) => n.text));
}

export function mentions(node: Node, names: ReadonlySet<string>): boolean {
  for (const name of namesIn(node)) if (names.has(name)) return true;
  return false;
}

/**
 * Names in the scope of `site` that hold values computed from `seeds` (transitively):
 * `parsed = urlparse(url)`, `host = parsed.hostname`, `const { hostname } = new URL(url)`.
 */
export function derivedNames(ctx: RuleContext, site: Node, seeds: Iterable<string>): Set<string> {
  const names = new Set(seeds);
  const scopes = isPython(ctx) ? ctx.python.scopes : ctx.javascript.scopes;
  const scope = scopes.scopeAt(site);
  for (let round = 0; round < 4; round++) {
    let grew = false;
    for (const [name, bindings] of scope.bindings) {
      if (names.has(name)) continue;
      if (bindings.some((b) => (b.kind === 'value' || b.kind === 'element') && mentions(b.value, names))) {
        names.add(name);
        grew = true;
      }
    }
    if (!grew) break;
  }
  return names;
}

/** The method name and receiver of `x.m(...)` (Python attribute or JS member callee). */
export function methodCall(node: Node): { receiver: Node; method: string; args: Node[] } | undefined {
  if (node.type !== 'call' && node.type !== 'call_expression') return undefined;
  const callee = node.childForFieldName('function');
  if (!callee || (callee.type !== 'attribute' && callee.type !== 'member_expression')) return undefined;
  const receiver = callee.childForFieldName('object');
  const method = callee.childForFieldName(callee.type === 'attribute' ? 'attribute' : 'property')?.text;
  const args = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
  return receiver && method ? { receiver, method, args } : undefined;
}

/** `x` itself, without parentheses, `await`, TS casts or `!`. */
export function unwrap(node: Node): Node {
  let n = node;
  for (let i = 0; i < 8; i++) {
    if (['parenthesized_expression', 'await', 'await_expression', 'as_expression', 'satisfies_expression', 'non_null_expression'].includes(n.type) && n.namedChildren[0]) n = n.namedChildren[0];
    else break;
  }
  return n;
}
