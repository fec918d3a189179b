import type { Node } from 'web-tree-sitter';
import { defineRule, replaceNode, type Detection, type RuleContext } from '../../engine/rule';
import type { Fix, TextEdit } from '../../engine/types';
import { resolveTarget } from '../python-helpers';
import { mentions } from '../prefilters';

// PyYAML re-exports its loader classes, so `yaml.loader.FullLoader` is `yaml.FullLoader`.
const YAML_MODULES = new Set(['yaml', 'yaml.loader', 'yaml.cyaml']);
// BaseLoader builds only strings, lists and dicts: as safe as SafeLoader, just less typed.
const SAFE_LOADERS = new Set(['SafeLoader', 'CSafeLoader', 'BaseLoader', 'CBaseLoader']);
/** Each unsafe loader and the safe one with the same parser (libyaml or pure Python). */
const SAFE_COUNTERPART: Record<string, string> = {
  Loader: 'SafeLoader',
  UnsafeLoader: 'SafeLoader',
  FullLoader: 'SafeLoader',
  CLoader: 'CSafeLoader',
  CUnsafeLoader: 'CSafeLoader',
  CFullLoader: 'CSafeLoader',
};
/** Functions whose safety depends on the Loader they are given, and their safe spelling. */
const TAKES_LOADER: Record<string, string> = { 'yaml.load': 'safe_load', 'yaml.load_all': 'safe_load_all' };
/** Functions that are unsafe whatever they are given, and their safe spelling. */
const UNSAFE_FUNCTIONS: Record<string, string> = {
  'yaml.unsafe_load': 'safe_load',
  'yaml.unsafe_load_all': 'safe_load_all',
  'yaml.full_load': 'safe_load',
  'yaml.full_load_all': 'safe_load_all',
};
const RUAMEL_YAML = 'ruamel.yaml.YAML';
const isTarget = (name: string) => name in TAKES_LOADER || name in UNSAFE_FUNCTIONS || name === RUAMEL_YAML;

interface State extends Detection {
  kind: 'no-loader' | 'unsafe-loader' | 'unsafe-function' | 'ruamel';
  /** The qualified function or class, e.g. `yaml.load`. */
  name: string;
  /** What names the function (the callee, or the reference passed as a value): a rename goes here. */
  callee?: Node;
  /** The Loader argument and the PyYAML class it is, or derives from. */
  loader?: Node;
  loaderClass?: string;
  /** A project class deriving from the unsafe loader, when that is what is passed. */
  customLoader?: string;
  /** ruamel's `"unsafe"` string. */
  typ?: Node;
  origin?: string;
}

/** `FullLoader` for `yaml.FullLoader` / `yaml.loader.FullLoader`; undefined for anything else. */
function yamlClass(qualified: string | undefined): string | undefined {
  const dot = qualified?.lastIndexOf('.') ?? -1;
  return qualified && dot > 0 && YAML_MODULES.has(qualified.slice(0, dot)) ? qualified.slice(dot + 1) : undefined;
}

/** The class statement a name is bound to in this file, if it is one. */
function localClass(node: Node, ctx: RuleContext): Node | undefined {
  if (node.type !== 'identifier') return undefined;
  const binding = ctx.python.scopes.scopeAt(node).lookup(node.text, node.startIndex);
  if (binding?.kind !== 'opaque') return undefined;
  for (let n: Node | null = ctx.tree.rootNode.descendantForIndex(binding.offset); n && n.startIndex === binding.offset; n = n.parent) {
    if (n.type === 'class_definition') return n.childForFieldName('name')?.text === node.text ? n : undefined;
  }
  return undefined;
}

type Verdict = { kind: 'safe' | 'unknown' } | { kind: 'unsafe'; loaderClass: string; customLoader?: string };

/**
 * Whether a Loader argument is a PyYAML loader that builds Python objects, following variables
 * and the bases of loader classes defined in this file. Anything else (a parameter, a class
 * from another module) is unknown and not reported: the caller decides.
 */
function classifyLoader(node: Node, ctx: RuleContext, depth = 0): Verdict {
  const cls = yamlClass(ctx.python.resolve(node));
  if (cls) {
    if (SAFE_LOADERS.has(cls)) return { kind: 'safe' };
    return cls in SAFE_COUNTERPART ? { kind: 'unsafe', loaderClass: cls } : { kind: 'unknown' };
  }
  const local = depth < 4 ? localClass(ctx.python.definition(node), ctx) : undefined;
  if (!local) return { kind: 'unknown' };
  let safeBase = false;
  for (const base of local.childForFieldName('superclasses')?.namedChildren ?? []) {
    if (!base || base.type === 'keyword_argument' || base.type === 'comment') continue;
    const verdict = classifyLoader(base, ctx, depth + 1);
    if (verdict.kind === 'unsafe') return { ...verdict, customLoader: local.childForFieldName('name')?.text };
    if (verdict.kind === 'safe') safeBase = true;
  }
  return { kind: safeBase ? 'safe' : 'unknown' };
}

/** ruamel's `typ="unsafe"` (or `typ=["unsafe"]`): the string node that says so. */
function unsafeTyp(typ: Node, ctx: RuleContext): Node | undefined {
  const value = ctx.python.definition(typ);
  const items = value.type === 'list' || value.type === 'tuple' ? value.namedChildren : [value];
  return items.find((n): n is Node => !!n && ctx.python.literal(n)?.value === 'unsafe');
}

/** A name that refers to `qualified` where `at` is, through an import in scope. */
function importedName(at: Node, qualified: string, ctx: RuleContext): string | undefined {
  return ctx.python.scopes.visibleName(at, (b) => b.kind === 'import' && b.qualified === qualified);
}

/**
 * An edit that makes `node` (a reference to a PyYAML function or class) name `yaml.<member>`
 * instead, spelled the way this file spells the module: `y.safe_load`, `yaml.loader.SafeLoader`.
 */
function pointAtYaml(node: Node, member: string, ctx: RuleContext): TextEdit | undefined {
  if (node.type === 'attribute') {
    const object = node.childForFieldName('object');
    const attribute = node.childForFieldName('attribute');
    if (object && attribute && YAML_MODULES.has(ctx.python.resolve(object) ?? '')) return replaceNode(attribute, member);
  }
  const direct = importedName(node, `yaml.${member}`, ctx);
  if (direct) return replaceNode(node, direct);
  const module = importedName(node, 'yaml', ctx);
  return module ? replaceNode(node, `${module}.${member}`) : undefined;
}

/** FullLoader refuses the worst tags since PyYAML 5.4, so it is less certain to be exploitable than the unsafe loader. */
const fullOnly = (name: string | undefined) => /Full|full_load/.test(name ?? '');

const within = (inner: Node, outer: Node) => inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;

export default defineRule<State>({
  meta: {
    id: 'yaml-unsafe-load',
    group: 'deserialization',
    title: 'YAML loaded with a loader that builds arbitrary Python objects',
    severity: 'warning',
    status: 'stable',
    fix: 'safe',
    cwe: [502, 20],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://pyyaml.org/wiki/PyYAMLDocumentation',
      'https://github.com/yaml/pyyaml/wiki/PyYAML-yaml.load(input)-Deprecation',
      'https://yaml.dev/doc/ruamel.yaml/detail/',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  requires: mentions('yaml'),
  check(match, ctx) {
    const target = resolveTarget(match, ctx, isTarget);
    if (!target) return undefined;
    if (!target.call) {
      // A loader passed as a value is called elsewhere with arguments we cannot see; only the
      // functions that are unsafe whatever their arguments are reported.
      return target.name in UNSAFE_FUNCTIONS ? { node: target.node, kind: 'unsafe-function', name: target.name, callee: target.node } : undefined;
    }
    const call = target.call;
    if (target.name === RUAMEL_YAML) {
      const typArg = ctx.python.argument(call, 'typ');
      const typ = typArg ? unsafeTyp(typArg, ctx) : undefined;
      return typ ? { node: call, kind: 'ruamel', name: target.name, typ } : undefined;
    }
    const stream = ctx.python.argument(call, 'stream', 0);
    const origin = stream ? ctx.python.untrustedOrigin(stream) : undefined;
    const base = {
      node: call,
      name: target.name,
      callee: call.childForFieldName('function') ?? undefined,
      origin,
      severity: origin ? ('error' as const) : undefined,
    };
    if (target.name in UNSAFE_FUNCTIONS) return { ...base, kind: 'unsafe-function', confidence: fullOnly(target.name) && !origin ? 'medium' : undefined };
    const args = ctx.python.callArguments(call);
    const loader = args.keywords.get('Loader') ?? args.positional[1];
    // `**options` may carry a Loader we cannot see: say nothing rather than guess.
    // How unsafe a missing Loader is depends on the PyYAML version, which the code does not say.
    if (!loader) return args.unresolvedSplat ? undefined : { ...base, kind: 'no-loader', confidence: origin ? undefined : 'medium' };
    const verdict = classifyLoader(loader, ctx);
    if (verdict.kind !== 'unsafe') return undefined;
    const confidence = fullOnly(verdict.loaderClass) && !origin ? ('medium' as const) : undefined;
    return { ...base, kind: 'unsafe-loader', loader, loaderClass: verdict.loaderClass, customLoader: verdict.customLoader, confidence };
  },
  message(s) {
    const from = s.origin ? `; the document comes from ${s.origin}` : '';
    const risk = fullOnly(s.loaderClass ?? s.name)
      ? 'which builds Python objects named by `!!python/...` tags and has had code-execution bypasses (CVE-2020-1747, CVE-2020-14343)'
      : 'which lets a YAML document construct arbitrary Python objects (`!!python/object/apply:os.system`) and run code';
    switch (s.kind) {
      case 'no-loader':
        return `\`${s.name}\` without a Loader uses an unsafe loader on PyYAML before 6 (PyYAML 6 rejects the call), ${risk}${from}. Use \`yaml.${TAKES_LOADER[s.name]}\`.`;
      case 'unsafe-loader': {
        const loader = s.customLoader ? `\`${s.customLoader}\`, a subclass of \`yaml.${s.loaderClass}\`` : `\`yaml.${s.loaderClass}\``;
        return `\`${s.name}\` uses ${loader}, ${risk}${from}. Use \`yaml.${SAFE_COUNTERPART[s.loaderClass ?? ''] ?? 'SafeLoader'}\` (or derive from it).`;
      }
      case 'unsafe-function':
        return `\`${s.name}\` loads with ${fullOnly(s.name) ? 'the full' : 'the unsafe'} loader, ${risk}${from}. Use \`yaml.${UNSAFE_FUNCTIONS[s.name]}\`.`;
      case 'ruamel':
        return `\`YAML(typ="unsafe")\` loads \`!!python/...\` tags, ${risk}. Use \`typ="safe"\` (or the default round-trip loader).`;
    }
  },
  fixes(s, ctx) {
    const fix = (title: string, applicability: Fix['applicability'], edit: TextEdit | undefined): Fix[] => (edit ? [{ title, applicability, edits: [edit] }] : []);
    switch (s.kind) {
      case 'no-loader':
      case 'unsafe-function': {
        const safe = TAKES_LOADER[s.name] ?? UNSAFE_FUNCTIONS[s.name];
        return s.callee ? fix(`Use \`yaml.${safe}\``, 'safe', pointAtYaml(s.callee, safe, ctx)) : [];
      }
      case 'unsafe-loader': {
        // A project loader class may add constructors the data relies on: rewriting it is not ours to do.
        if (!s.loader || s.customLoader || !s.loaderClass || !within(s.loader, s.node)) return [];
        const safe = SAFE_COUNTERPART[s.loaderClass];
        return fix(`Use \`yaml.${safe}\``, 'safe', pointAtYaml(s.loader, safe, ctx));
      }
      case 'ruamel': {
        const content = s.typ?.namedChildren.find((c) => c?.type === 'string_content');
        // The same instance may dump Python objects, which the safe dumper refuses.
        return content && within(content, s.node) ? fix('Use `typ="safe"`', 'unsafe', replaceNode(content, 'safe')) : [];
      }
    }
  },
});
