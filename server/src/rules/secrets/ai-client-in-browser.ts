import type { Node } from 'web-tree-sitter';
import { stringValue } from '../../engine/facts/javascript';
import { defineRule, type Detection, type RuleContext } from '../../engine/rule';
import { aiClientAt, callOptions, definitionOf, jsEnvRead, literalString } from '../client-options';
import { isAiKeyEnvName } from '../secret-formats';
import { AI_CODE } from '../prefilters';

/**
 * Prefixes that bundlers inline into browser code: Next.js, Vite, Create React App, Expo, Nuxt,
 * Gatsby, Vue CLI; `PUBLIC_` (Astro, SvelteKit) only on `import.meta.env` and `$env/…/public`.
 */
const PUBLIC_PREFIX = /^(NEXT_PUBLIC_|VITE_|REACT_APP_|EXPO_PUBLIC_|NUXT_PUBLIC_|GATSBY_|VUE_APP_)/;
const PUBLIC_PREFIX_META = /^(NEXT_PUBLIC_|VITE_|REACT_APP_|EXPO_PUBLIC_|NUXT_PUBLIC_|GATSBY_|VUE_APP_|PUBLIC_)/;

/** Code that only runs on a server: route handlers, API routes, server actions, `server-only` modules. */
const SERVER_PATH = /(^|[\\/])(pages[\\/]api[\\/].+|app[\\/](.+[\\/])?route|[^\\/]+\.server)\.[cm]?[jt]sx?$/;
const SERVER_MARKER = /^\s*['"]use server['"]|from\s+['"]server-only['"]|import\s+['"]server-only['"]/m;

interface State extends Detection {
  kind: 'allow-browser' | 'public-env';
  /** The SDK or client, for messages. */
  client?: string;
  /** allow-browser: the key is neither a literal nor an environment variable (likely the user's own). */
  userKey?: boolean;
  /** public-env: the variable and the prefix that makes it public. */
  variable?: string;
  prefix?: string;
  /** public-env read in server-only code. */
  serverOnly?: boolean;
}

export default defineRule<State>({
  meta: {
    id: 'ai-client-in-browser',
    group: 'secrets',
    title: 'AI provider key exposed to the browser',
    severity: 'error',
    status: 'stable',
    fix: 'none',
    cwe: [522, 200],
    owasp: ['LLM02'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/',
      'https://cwe.mitre.org/data/definitions/522.html',
      'https://github.com/openai/openai-node#requirements',
      'https://nextjs.org/docs/app/building-your-application/configuring/environment-variables#bundling-environment-variables-for-the-browser',
      'https://vite.dev/guide/env-and-mode',
    ],
  },
  languages: ['javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures }, ctx) {
    if (captures.pair && captures.key && captures.value) return allowBrowserPair(ctx, captures.pair, captures.key, captures.value);
    if (captures.shorthand) return allowBrowserShorthand(ctx, captures.shorthand);
    if (captures.env) return publicEnvRead(ctx, captures.env);
    if (captures.pattern && captures.value) return publicEnvDestructuring(ctx, captures.pattern, captures.value);
    if (captures.import && captures.source) return publicEnvImport(ctx, captures.import, captures.source);
    if (captures.call) return publicEnvClientKey(ctx, captures.call);
    return undefined;
  },
  message(s) {
    if (s.kind === 'allow-browser') {
      const sdk = s.client ? `the ${s.client} client` : 'the SDK';
      const base = `\`dangerouslyAllowBrowser: true\` lets ${sdk} run in the browser, so the API key it sends is shipped to every visitor (page source, DevTools, network tab), who can then call the provider on the account's bill.`;
      return s.userKey
        ? `${base} That is acceptable only for a key the user brings themselves; an application key must stay on a server — proxy the call through a server route.`
        : `${base} Call the model from a server route (route handler, server action, API) and keep the key there.`;
    }
    const publicness = `${s.prefix} variables are inlined into the browser bundle at build time`;
    if (s.serverOnly) {
      return `\`${s.variable}\` holds an AI provider key under a public prefix (${publicness}): this file runs on the server, but any client code that reads the variable ships the key to every visitor. Rename it without the ${s.prefix} prefix and rotate the key if it was ever read client-side.`;
    }
    return `\`${s.variable}\` puts an AI provider key into the browser bundle (${publicness}): anyone can read it from the site's JavaScript and use it. Drop the ${s.prefix} prefix, read the key only in server code (a route handler or server action that calls the model), and rotate it.`;
  },
});

function isTrue(ctx: RuleContext, value: Node): boolean {
  return ctx.javascript.literal(value)?.value === true;
}

function allowBrowserPair(ctx: RuleContext, pair: Node, key: Node, value: Node): State | undefined {
  if ((stringValue(key) ?? key.text) !== 'dangerouslyAllowBrowser' || !isTrue(ctx, value)) return undefined;
  return allowBrowser(ctx, pair, pair.parent);
}

function allowBrowserShorthand(ctx: RuleContext, node: Node): State | undefined {
  if (node.text !== 'dangerouslyAllowBrowser' || !isTrue(ctx, node)) return undefined;
  return allowBrowser(ctx, node, node.parent);
}

/** `dangerouslyAllowBrowser: true` in an options object, rated by where the key in that object comes from. */
function allowBrowser(ctx: RuleContext, node: Node, object: Node | null): State {
  const construction = optionsOwner(object);
  const client = construction ? aiClientAt(ctx, construction)?.client.name : undefined;
  const apiKey = object ? ctx.javascript.property(object, 'apiKey') : undefined;
  const source = apiKey ? definitionOf(ctx, apiKey) : undefined;
  const userKey = !!source && !fromEnvironment(ctx, source) && literalString(ctx, source) === undefined;
  return { node, kind: 'allow-browser', client, userKey, severity: userKey ? 'warning' : undefined, confidence: userKey ? 'medium' : undefined };
}

/** An environment read, directly or destructured: `process.env.X`, `const { VITE_X } = import.meta.env`. */
function fromEnvironment(ctx: RuleContext, node: Node): boolean {
  if (jsEnvRead(ctx, node)) return true;
  if (node.type !== 'identifier' && node.type !== 'shorthand_property_identifier') return false;
  const binding = ctx.javascript.scopes.scopeAt(node).lookup(node.text, node.startIndex);
  return binding?.kind === 'element' && /^(process\.env|import\.meta\.env)$/.test(binding.value.text.replace(/\s+/g, ''));
}

/** The `new X(options)` / `f(options)` an options object literal is passed to, directly or through a variable. */
function optionsOwner(object: Node | null): Node | undefined {
  let node = object?.parent;
  if (node?.type === 'arguments') node = node.parent;
  else if (node?.type === 'variable_declarator') return undefined;
  return node && (node.type === 'new_expression' || node.type === 'call_expression') ? node : undefined;
}

function publicState(ctx: RuleContext, node: Node, variable: string, meta: boolean): State | undefined {
  const prefix = (meta ? PUBLIC_PREFIX_META : PUBLIC_PREFIX).exec(variable)?.[1];
  if (!prefix) return undefined;
  const serverOnly = SERVER_PATH.test(ctx.path) || SERVER_MARKER.test(ctx.text);
  return { node, kind: 'public-env', variable, prefix, serverOnly, severity: serverOnly ? 'warning' : undefined, confidence: serverOnly ? 'medium' : undefined };
}

/** `process.env.NEXT_PUBLIC_OPENAI_API_KEY`, `import.meta.env.VITE_OPENAI_KEY`, SvelteKit's `env.PUBLIC_…`. */
function publicEnvRead(ctx: RuleContext, node: Node): State | undefined {
  // Cheap filter first: every member expression of the file comes through here.
  const base = node.childForFieldName('object');
  const endsInEnv = base?.type === 'member_expression' ? base.childForFieldName('property')?.text === 'env' : base?.type === 'identifier' && base.text === 'env';
  if (!endsInEnv) return undefined;
  const parent = node.parent;
  if (parent?.type === 'assignment_expression' && parent.childForFieldName('left')?.id === node.id) return undefined;
  const env = jsEnvRead(ctx, node);
  if (env) return isAiKeyEnvName(env.name) ? publicState(ctx, node, env.name, env.object === 'import.meta.env') : undefined;
  if (node.type !== 'member_expression') return undefined;
  const object = node.childForFieldName('object');
  const name = node.childForFieldName('property')?.text;
  if (!object || !name || ctx.javascript.resolve(object) !== '$env/dynamic/public.env') return undefined;
  return isAiKeyEnvName(name) ? publicState(ctx, node, name, true) : undefined;
}

/** `const { VITE_OPENAI_API_KEY } = import.meta.env`. */
function publicEnvDestructuring(ctx: RuleContext, pattern: Node, value: Node): State[] {
  const base = value.text.replace(/\s+/g, '');
  const meta = base === 'import.meta.env';
  if (!meta && base !== 'process.env') return [];
  const out: State[] = [];
  for (const prop of pattern.namedChildren) {
    const key = prop?.type === 'shorthand_property_identifier_pattern' ? prop : prop?.type === 'pair_pattern' ? prop.childForFieldName('key') : undefined;
    const name = key ? (stringValue(key) ?? key.text) : undefined;
    const state = prop && name && isAiKeyEnvName(name) ? publicState(ctx, prop, name, meta) : undefined;
    if (state) out.push(state);
  }
  return out;
}

/** SvelteKit: `import { PUBLIC_OPENAI_KEY } from '$env/static/public'`. */
function publicEnvImport(ctx: RuleContext, statement: Node, source: Node): State[] {
  if (stringValue(source) !== '$env/static/public') return [];
  const out: State[] = [];
  for (const spec of statement.descendantsOfType('import_specifier')) {
    const name = spec?.childForFieldName('name')?.text;
    const state = spec && name && isAiKeyEnvName(name) ? publicState(ctx, spec, name, true) : undefined;
    if (state) out.push(state);
  }
  return out;
}

/** A public variable of any name given as an AI client's key: `new OpenAI({ apiKey: process.env.NEXT_PUBLIC_API_KEY })`. */
function publicEnvClientKey(ctx: RuleContext, call: Node): State[] {
  const hit = aiClientAt(ctx, call);
  if (!hit) return [];
  const options = callOptions(ctx, call);
  const values = hit.client.keyOptions.map((name) => options.get(name));
  if (hit.client.keyPosition !== undefined) values.push(ctx.javascript.callArguments(call)[hit.client.keyPosition]);
  const out: State[] = [];
  for (const value of values) {
    const source = value && definitionOf(ctx, value);
    const env = source && jsEnvRead(ctx, source);
    const state = source && env ? publicState(ctx, source, env.name, env.object === 'import.meta.env') : undefined;
    if (state) out.push({ ...state, client: hit.client.name });
  }
  return out;
}
