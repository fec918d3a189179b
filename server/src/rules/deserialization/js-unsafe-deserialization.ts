import type { Node } from 'web-tree-sitter';
import { defineRule, replaceNode, type Detection, type RuleContext } from '../../engine/rule';
import type { Fix, TextEdit } from '../../engine/types';

const UNSERIALIZE = 'node-serialize.unserialize';
const YAML_LOADERS = new Set(['js-yaml.load', 'js-yaml.loadAll', 'js-yaml.safeLoad', 'js-yaml.safeLoadAll']);
/** Code evaluators, and which argument holds the code ('last' for `Function`'s body). */
const EVALUATORS: Record<string, number | 'last'> = {
  'global.eval': 0,
  'global.globalThis.eval': 0,
  'global.window.eval': 0,
  'global.Function': 'last',
  'global.globalThis.Function': 'last',
  'vm.runInNewContext': 0,
  'vm.runInThisContext': 0,
  'vm.runInContext': 0,
  'vm.compileFunction': 0,
  'vm.Script': 0,
};
const SERIALIZE_JAVASCRIPT = 'serialize-javascript';

/** js-yaml 3's full schema (`!!js/function`, `!!js/regexp`, `!!js/undefined`), by export or by file. */
const isFullSchema = (name: string | undefined) =>
  name === 'js-yaml.DEFAULT_FULL_SCHEMA' || /^js-yaml\/lib\/(js-yaml\/)?schema\/default_full(\.js)?$/.test(name ?? '');
/** Anything from js-yaml-js-types (or its ESM fork). */
const isJsType = (name: string | undefined) => /^js-yaml-js-types(-esm)?([./]|$)/.test(name ?? '');
/** The js-yaml-js-types exports that construct functions: `all` and `function`. */
const isFunctionType = (name: string | undefined) => /^js-yaml-js-types(-esm)?(\.(all|function)|\/function(\.js)?)$/.test(name ?? '');

type SchemaFix = 'swap' | 'remove' | 'remove-unsafe';

interface State extends Detection {
  kind: 'node-serialize' | 'yaml-schema' | 'eval';
  /** The qualified function, e.g. `js-yaml.load`. */
  name: string;
  /** Why the schema is unsafe, or what shows the code is serialized JavaScript. */
  reason?: string;
  schemaFix?: SchemaFix;
  /** The `schema` member of an options object written inside the call. */
  member?: Node;
  options?: Node;
  /** The callee, whose object names js-yaml in this file's spelling. */
  callee?: Node;
}

/** What a schema expression contains: js-yaml 3's full schema, or a function-constructing type. */
function inspectSchema(node: Node, ctx: RuleContext, depth = 0): { full: boolean; functions: boolean } {
  const js = ctx.javascript;
  const def = js.definition(node);
  const name = js.resolve(def);
  if (isFullSchema(name)) return { full: true, functions: true };
  if (isFunctionType(name)) return { full: false, functions: true };
  const found = { full: false, functions: false };
  if (depth > 6) return found;
  const parts: Node[] = [];
  if (def.type === 'call_expression' || def.type === 'new_expression') {
    const callee = def.childForFieldName(def.type === 'call_expression' ? 'function' : 'constructor');
    const calleeName = js.resolve(callee);
    // Only js-yaml's own builders (`extend`, `new Schema`, `Schema.create`) say what a schema holds.
    if (!calleeName?.startsWith('js-yaml.')) return found;
    const args = js.callArguments(def);
    // js-yaml 3: `Schema.create(types)` extends the full default schema.
    if (calleeName === 'js-yaml.Schema.create' && args.length === 1) found.full = found.functions = true;
    if (callee?.type === 'member_expression') parts.push(callee.childForFieldName('object')!);
    parts.push(...args);
  } else if (def.type === 'array' || def.type === 'spread_element') {
    parts.push(...(def.namedChildren.filter(Boolean) as Node[]));
  } else if (def.type === 'object') {
    for (const member of def.namedChildren) if (member?.type === 'pair') parts.push(member.childForFieldName('value')!);
  }
  for (const part of parts) {
    if (!part) continue;
    const inner = inspectSchema(part, ctx, depth + 1);
    found.full ||= inner.full;
    found.functions ||= inner.functions;
  }
  return found;
}

/** Whether every type a value lists comes from js-yaml-js-types: `all`, `[...types.all]`, `{ explicit: [fn] }`. */
function onlyJsTypes(node: Node, ctx: RuleContext, depth = 0): boolean {
  const def = ctx.javascript.definition(node);
  if (isJsType(ctx.javascript.resolve(def))) return true;
  if (depth > 4) return false;
  const items =
    def.type === 'array' || def.type === 'spread_element'
      ? def.namedChildren
      : def.type === 'object'
        ? def.namedChildren.map((m) => (m?.type === 'pair' ? m.childForFieldName('value') : m))
        : undefined;
  return !!items && items.every((item) => !!item && item.type !== 'comment' && onlyJsTypes(item, ctx, depth + 1));
}

/** `yaml.DEFAULT_SCHEMA.extend(<js-yaml-js-types only>)`: dropping it leaves exactly the default schema. */
function isDefaultPlusJsTypes(def: Node, ctx: RuleContext): boolean {
  const fn = def.type === 'call_expression' ? def.childForFieldName('function') : null;
  if (fn?.type !== 'member_expression' || fn.childForFieldName('property')?.text !== 'extend') return false;
  if (ctx.javascript.resolve(fn.childForFieldName('object')) !== 'js-yaml.DEFAULT_SCHEMA') return false;
  const args = ctx.javascript.callArguments(def);
  return args.length > 0 && args.every((a) => onlyJsTypes(a, ctx));
}

/** Why a `schema` value makes js-yaml build functions, and which fix fits; undefined if it does not. */
function judgeSchema(value: Node, ctx: RuleContext): { reason: string; fix?: SchemaFix } | undefined {
  const def = ctx.javascript.definition(value);
  if (isFullSchema(ctx.javascript.resolve(def))) return { reason: "js-yaml 3's `DEFAULT_FULL_SCHEMA`", fix: 'swap' };
  const found = inspectSchema(def, ctx);
  // A js-yaml 3 schema built on the full one: without `schema`, js-yaml 3 falls back to the full schema anyway.
  if (found.full) return { reason: "a schema built on js-yaml 3's full schema" };
  if (!found.functions) return undefined;
  return { reason: "a schema extended with js-yaml-js-types' function type", fix: isDefaultPlusJsTypes(def, ctx) ? 'remove' : 'remove-unsafe' };
}

/** The `schema` member of an object literal, written as `schema: x` or `{ schema }`. */
function schemaMember(object: Node): Node | undefined {
  for (const member of object.namedChildren) {
    if (member?.type === 'shorthand_property_identifier' && member.text === 'schema') return member;
    const key = member?.type === 'pair' ? member.childForFieldName('key') : null;
    if (key && (key.text === 'schema' || /^['"]schema['"]$/.test(key.text))) return member!;
  }
  return undefined;
}

/** The code a serialize-javascript `serialize(...)` call produced, found inside an expression. */
function serializedOutput(node: Node, ctx: RuleContext, depth = 0): Node | undefined {
  const js = ctx.javascript;
  const def = js.definition(node);
  if (def.type === 'call_expression' && js.resolve(def.childForFieldName('function')) === SERIALIZE_JAVASCRIPT) return def;
  if (depth > 6) return undefined;
  const parts =
    def.type === 'binary_expression'
      ? [def.childForFieldName('left'), def.childForFieldName('right')]
      : def.type === 'template_string'
        ? def.namedChildren.filter((c) => c?.type === 'template_substitution').map((c) => c!.namedChildren[0])
        : [];
  for (const part of parts) {
    const found = part ? serializedOutput(part, ctx, depth + 1) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** Literal text and expressions of a `'a' + x + 'b'` / `` `a${x}b` `` string, in order. */
function flatten(node: Node, out: (string | Node)[]): void {
  if (node.type === 'binary_expression' && node.childForFieldName('operator')?.type === '+') {
    for (const side of [node.childForFieldName('left'), node.childForFieldName('right')]) if (side) flatten(side, out);
  } else if (node.type === 'template_string') {
    for (const c of node.namedChildren) {
      if (c?.type === 'template_substitution' && c.namedChildren[0]) flatten(c.namedChildren[0], out);
      else if (c) out.push(c.text);
    }
  } else if (node.type === 'string') {
    out.push(node.text.slice(1, -1));
  } else if (node.type === 'parenthesized_expression' && node.namedChildren[0]) {
    flatten(node.namedChildren[0], out);
  } else {
    out.push(node);
  }
}

/**
 * The value in `'(' + x + ')'` (or, for a function body, `'return ' + x`): how serialize-javascript's
 * output is turned back into a value (its README's `deserialize`). Undefined for any other shape.
 */
function wrappedValue(code: Node, functionBody: boolean, ctx: RuleContext): Node | undefined {
  const parts: (string | Node)[] = [];
  flatten(ctx.javascript.definition(code), parts);
  const at = parts.findIndex((p) => typeof p !== 'string');
  if (at < 0 || parts.slice(at + 1).some((p) => typeof p !== 'string')) return undefined;
  const before = parts.slice(0, at).join('');
  const after = parts.slice(at + 1).join('');
  const prefix = functionBody ? /^\s*return\s*\(\s*$/ : /^\s*\(\s*$/;
  const parenthesized = prefix.test(before) && /^\s*\)\s*;?\s*$/.test(after);
  const returned = functionBody && /^\s*return\s+$/.test(before) && /^\s*;?\s*$/.test(after);
  return parenthesized || returned ? (parts[at] as Node) : undefined;
}

/** Why the code an evaluator runs is serialized JavaScript, with how sure that is. */
function serializedEvidence(code: Node, functionBody: boolean, ctx: RuleContext): { reason: string; confidence: 'high' | 'medium' | 'low' } | undefined {
  if (serializedOutput(code, ctx)) return { reason: 'the output of `serialize-javascript`', confidence: 'high' };
  const wrapped = wrappedValue(code, functionBody, ctx);
  if (!wrapped) return undefined;
  const value = ctx.javascript.definition(wrapped);
  // Text built here from something else (`JSON.stringify(x)`, a constant) is not serialized input.
  if (value.type === 'call_expression' || value.type === 'new_expression' || ctx.javascript.literal(value)) return undefined;
  if (ctx.javascript.importsModule(SERIALIZE_JAVASCRIPT)) {
    return { reason: 'text wrapped the way `serialize-javascript` output is revived, in a file that uses `serialize-javascript`', confidence: 'medium' };
  }
  const label = wrapped.type === 'member_expression' ? wrapped.childForFieldName('property')?.text : wrapped.text;
  return label && /serializ/i.test(label) ? { reason: `serialized text (\`${wrapped.text}\`) wrapped to be revived`, confidence: 'low' } : undefined;
}

/** A name bound, where `at` is, to `module` by an import or a `require`. */
function moduleName(at: Node, module: string, ctx: RuleContext): string | undefined {
  return ctx.javascript.scopes.visibleName(
    at,
    (b) => (b.kind === 'import' && b.qualified === module) || (b.kind === 'value' && ctx.javascript.resolve(b.value) === module),
  );
}

/** Deletes an object member with its comma, and its line when it had one to itself. */
function removeMember(member: Node, text: string): TextEdit | undefined {
  const next = member.nextSibling;
  if (next?.type === ',') {
    let start = member.startIndex;
    let end = next.endIndex;
    while (text[end] === ' ' || text[end] === '\t') end++;
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const eol = text.startsWith('\r\n', end) ? 2 : text[end] === '\n' ? 1 : 0;
    if (eol > 0 && /^[ \t]*$/.test(text.slice(lineStart, start))) {
      start = lineStart;
      end += eol;
    }
    return { start, end, newText: '' };
  }
  const previous = member.previousSibling;
  return previous?.type === ',' ? { start: previous.startIndex, end: member.endIndex, newText: '' } : undefined;
}

/** Removes `schema` from the options: the whole argument when nothing else is left and it is last. */
function removeSchema(s: State, ctx: RuleContext): TextEdit | undefined {
  if (!s.member || !s.options) return undefined;
  const others = s.options.namedChildren.filter((c) => c && c.type !== 'comment' && c.id !== s.member!.id);
  if (others.length > 0) return removeMember(s.member, ctx.text);
  const args = ctx.javascript.callArguments(s.node);
  const at = args.findIndex((a) => a.id === s.options!.id);
  return at > 0 && at === args.length - 1 ? { start: args[at - 1].endIndex, end: s.options.endIndex, newText: '' } : replaceNode(s.options, '{}');
}

/** Points `schema` at js-yaml 3's `DEFAULT_SAFE_SCHEMA`, spelled with this file's name for js-yaml. */
function swapToSafeSchema(s: State, ctx: RuleContext): TextEdit | undefined {
  if (!s.member) return undefined;
  const value = s.member.type === 'pair' ? s.member.childForFieldName('value') : s.member;
  if (!value) return undefined;
  if (value.type === 'member_expression' && ctx.javascript.resolve(value.childForFieldName('object')) === 'js-yaml') {
    const property = value.childForFieldName('property');
    return property ? replaceNode(property, 'DEFAULT_SAFE_SCHEMA') : undefined;
  }
  const calleeObject = s.callee?.type === 'member_expression' ? s.callee.childForFieldName('object') : null;
  const module = calleeObject?.type === 'identifier' && ctx.javascript.resolve(calleeObject) === 'js-yaml' ? calleeObject.text : moduleName(s.node, 'js-yaml', ctx);
  if (!module) return undefined;
  return replaceNode(value, `${value.type === 'shorthand_property_identifier' ? 'schema: ' : ''}${module}.DEFAULT_SAFE_SCHEMA`);
}

const normalize = (name: string | undefined) => name?.replace(/^node:/, '');

export default defineRule<State>({
  meta: {
    id: 'js-unsafe-deserialization',
    group: 'deserialization',
    title: 'JavaScript deserialization that can run code from the data',
    severity: 'warning',
    status: 'stable',
    fix: 'safe',
    cwe: [502],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://nvd.nist.gov/vuln/detail/CVE-2017-5941',
      'https://github.com/nodeca/js-yaml/blob/master/migrate_v3_to_v4.md',
      'https://github.com/nodeca/js-yaml-js-types',
      'https://github.com/yahoo/serialize-javascript',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['javascript', 'typescript', 'tsx'],
  check(match, ctx) {
    const js = ctx.javascript;
    const { call, callee, reference } = match.captures;
    if (reference) {
      // Passed as a value (`payloads.map(serialize.unserialize)`): the data is whatever it is called with.
      return js.resolve(reference) === UNSERIALIZE ? { node: reference, kind: 'node-serialize', name: UNSERIALIZE, severity: 'error' } : undefined;
    }
    if (!call || !callee) return undefined;
    const name = normalize(js.resolve(callee));
    if (!name) return undefined;
    if (name === UNSERIALIZE) return { node: call, kind: 'node-serialize', name, severity: 'error' };
    const args = js.callArguments(call);
    if (YAML_LOADERS.has(name)) {
      // `loadAll(text, options)` is allowed when no iterator is passed.
      const options = args.slice(1, 3).find((a) => js.property(a, 'schema'));
      const value = options ? js.property(options, 'schema') : undefined;
      const verdict = value ? judgeSchema(value, ctx) : undefined;
      if (!options || !verdict) return undefined;
      const inline = options.type === 'object' ? options : undefined;
      return {
        node: call,
        kind: 'yaml-schema',
        name,
        reason: verdict.reason,
        schemaFix: verdict.fix,
        options: inline,
        member: inline ? schemaMember(inline) : undefined,
        callee,
      };
    }
    const position = EVALUATORS[name];
    if (position === undefined) return undefined;
    const code = position === 'last' ? args[args.length - 1] : args[position];
    const evidence = code ? serializedEvidence(code, position === 'last' || name === 'vm.compileFunction', ctx) : undefined;
    return evidence ? { node: call, kind: 'eval', name, reason: evidence.reason, confidence: evidence.confidence } : undefined;
  },
  message(s) {
    switch (s.kind) {
      case 'node-serialize':
        return '`node-serialize` `unserialize` revives `_$$ND_FUNC$$_` strings with `eval`, so a crafted payload runs code as soon as it is deserialized (CVE-2017-5941). Parse JSON with `JSON.parse` and validate it instead.';
      case 'yaml-schema':
        return `\`${s.name}\` uses ${s.reason}, which turns \`!!js/function\` tags into functions built from the document's text: calling one runs whatever the document says. Use js-yaml's default schema.`;
      case 'eval':
        return `\`${s.name.replace(/^global\./, '')}\` evaluates ${s.reason}: whoever controls that text runs code here. Exchange data as JSON and read it with \`JSON.parse\`.`;
    }
  },
  fixes(s, ctx) {
    if (s.kind !== 'yaml-schema' || !s.schemaFix) return [];
    const edit = s.schemaFix === 'swap' ? swapToSafeSchema(s, ctx) : removeSchema(s, ctx);
    if (!edit) return [];
    const fix: Fix =
      s.schemaFix === 'swap'
        ? { title: 'Use `DEFAULT_SAFE_SCHEMA`', applicability: 'safe', edits: [edit] }
        : // Dropping a schema that adds types besides the JavaScript ones drops those too.
          { title: 'Remove `schema` to use the default safe schema', applicability: s.schemaFix === 'remove' ? 'safe' : 'unsafe', edits: [edit] };
    return [fix];
  },
});
