import type { Node } from 'web-tree-sitter';
import { defineRule, type Detection, type RuleContext } from '../../engine/rule';
import { calleeName, isPython } from '../llm';

// Generic HTTP clients: reported when the URL names a model or weights file.
const PY_FETCHERS = /^(requests\.(get|request|Session\(\)\.(get|request))|httpx\.(get|stream|request|(Async)?Client\(\)\.(get|stream|request))|urllib\.request\.(urlopen|urlretrieve|Request)|urllib3\.(PoolManager\(\)\.)?request|wget\.download|aiohttp\.ClientSession\(\)\.get|fsspec\.open|smart_open\.open)$/;
// Functions that fetch models or data files: any http:// URL they get is reported.
const PY_MODEL_FETCHERS = /^(torch\.hub\.(load_state_dict_from_url|download_url_to_file)|torch\.utils\.model_zoo\.load_url)$/;
// Keras' downloader, under every name Keras 2, Keras 3 and tf.keras give it.
const KERAS_GET_FILE = /^(keras|tensorflow\.keras|tensorflow\.python\.keras|tf_keras)\.(?:[\w.]+\.)?get_file$/;

const JS_FETCHERS = /^(global\.fetch|node-fetch|axios(\.(get|request))?|got(\.get)?|ky(\.get)?|undici\.(fetch|request)|(node:)?https?\.(get|request))$/;
const JS_MODEL_LOADERS = /^(@tensorflow\/tfjs(-node(-gpu)?|-layers|-converter)?\.(loadLayersModel|loadGraphModel)|onnxruntime-(web|node|react-native|common)\.InferenceSession\.create)$/;
const TRANSFORMERS_JS_ENV = /^(@huggingface\/transformers|@xenova\/transformers)\.env$/;

/** Model and weights files; archives count when the URL says they hold a model. */
const MODEL_FILE = /\.(bin|pt|pth|ckpt|safetensors|onnx|ort|h5|hdf5|keras|pb|tflite|gguf|ggml|pkl|pickle|joblib|npz|npy|msgpack|mlmodel|pte|caffemodel|params|weights)$/i;
const ARCHIVE = /\.(zip|tar|tar\.gz|tgz)$/i;
const MODEL_WORD = /model|weight|ckpt|checkpoint/i;
/** Formats that are pickles (or can carry code): tampering with them is code execution. */
const PICKLE_FILE = /\.(bin|pt|pth|ckpt|pkl|pickle|joblib|h5|hdf5|keras)$/i;

/** http: the URL is plain HTTP; no-hash: keras get_file without file_hash/md5_hash. */
type Problem = 'http' | 'no-hash';

interface State extends Detection {
  problem: Problem;
  name: string;
  /** The string literal that holds `http://`, for the fix. */
  literal?: Node;
  /** Offset of `http://` in the document. */
  at?: number;
  /** get_file was also given no hash. */
  noHash?: boolean;
}

/** A URL built from literal text and expressions; `{}` stands for each interpolated part. */
interface UrlShape {
  text: string;
  /** The literal that starts the URL and the offset of its first character. */
  head?: { node: Node; at: number };
}

/** Follows a variable to the expression it was bound to (either language). */
type Follow = (node: Node) => Node;

/** The string node (Python or JS) that an expression starts with: `"http://…" + x`, `BASE + "/m.bin"`, f-strings, template literals. */
function leadingString(node: Node, follow: Follow, depth = 0): Node | undefined {
  if (depth > 8) return undefined;
  const def = follow(node);
  if (def.type === 'string' || def.type === 'template_string') return def;
  if (def.type === 'concatenated_string') return def.namedChildren[0] ?? undefined;
  if ((def.type === 'binary_operator' || def.type === 'binary_expression') && def.childForFieldName('operator')?.text === '+') {
    const left = def.childForFieldName('left');
    return left ? leadingString(left, follow, depth + 1) : undefined;
  }
  if (def.type === 'parenthesized_expression' && def.namedChildren[0]) return leadingString(def.namedChildren[0], follow, depth + 1);
  return undefined;
}

/** The literal text of a string expression with `{}` for each interpolation or unknown part (both languages). */
function shapeText(start: Node, follow: Follow, depth = 0): string | undefined {
  if (depth > 8) return undefined;
  const node = follow(start);
  switch (node.type) {
    case 'string':
    case 'template_string': {
      // Prefix and quotes (`f"`, `rb'`, `` ` ``) are dropped; interpolations become {}.
      let out = '';
      let literal = false;
      for (const c of node.namedChildren) {
        if (!c) continue;
        if (c.type === 'string_content' || c.type === 'string_fragment') {
          out += c.text;
          literal = true;
        } else if (c.type === 'interpolation' || c.type === 'template_substitution') out += '{}';
        else if (c.type === 'escape_sequence') out += c.text.slice(1);
      }
      // A template literal's text has no fragment nodes in some grammars: fall back to its source.
      if (!literal && node.type === 'template_string' && node.namedChildren.length === 0) out = node.text.slice(1, -1);
      return out;
    }
    case 'concatenated_string':
      return node.namedChildren.map((c) => (c ? shapeText(c, follow, depth + 1) ?? '{}' : '')).join('');
    case 'binary_operator':
    case 'binary_expression': {
      if (node.childForFieldName('operator')?.text !== '+') return undefined;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      return `${(left && shapeText(left, follow, depth + 1)) ?? '{}'}${(right && shapeText(right, follow, depth + 1)) ?? '{}'}`;
    }
    case 'parenthesized_expression':
      return node.namedChildren[0] ? shapeText(node.namedChildren[0], follow, depth + 1) : undefined;
    default:
      return undefined;
  }
}

function urlShape(ctx: RuleContext, node: Node): UrlShape | undefined {
  const follow: Follow = (n) => (isPython(ctx) ? ctx.python.definition(n) : ctx.javascript.definition(n));
  const text = shapeText(node, follow);
  if (text === undefined) return undefined;
  const head = leadingString(node, follow);
  const index = head ? head.text.search(/http:\/\//i) : -1;
  // Only when `http://` opens the literal (after its prefix and quote), so the edit is the scheme.
  const opens = head && index >= 0 && /^[a-zA-Z]*("""|'''|["'`])$/.test(head.text.slice(0, index));
  return { text, head: opens ? { node: head, at: head.startIndex + index } : undefined };
}

/** Plain HTTP to a host other than this machine or a bare service name (`http://minio:9000`). */
function insecureHttp(url: string): boolean {
  const m = /^http:\/\/(\[[^\]]*\]|[^/:?#]*)/i.exec(url);
  if (!m) return false;
  const host = m[1].toLowerCase();
  if (host === '{}' || host.includes('{}')) return true;
  if (host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '0.0.0.0' || host === '[::1]' || host === 'host.docker.internal') return false;
  return host.includes('.') || host.startsWith('[');
}

function isModelUrl(url: string): boolean {
  const path = url.replace(/[?#].*$/, '');
  return MODEL_FILE.test(path) || (ARCHIVE.test(path) && MODEL_WORD.test(path));
}

function urlArgument(ctx: RuleContext, call: Node, name: string): Node | undefined {
  if (isPython(ctx)) {
    if (KERAS_GET_FILE.test(name)) return ctx.python.argument(call, 'origin', 1);
    if (/^urllib3\./.test(name)) return ctx.python.argument(call, 'url', 1);
    return ctx.python.argument(call, 'url', 0) ?? ctx.python.argument(call, 'urlpath', 0);
  }
  const first = ctx.javascript.callArguments(call)[0];
  // fetch(url), axios({ url }), got(url)
  return first && ctx.javascript.definition(first).type === 'object' ? ctx.javascript.property(first, 'url') : first;
}

export default defineRule<State>({
  meta: {
    id: 'model-download-without-integrity',
    group: 'supply-chain',
    title: 'Model or data file downloaded without transport security or an integrity check',
    severity: 'warning',
    status: 'stable',
    fix: 'safe',
    cwe: [494, 319],
    owasp: ['LLM03', 'LLM04'],
    confidence: 'high',
    references: [
      'https://keras.io/api/utils/python_utils/#getfile-function',
      'https://pytorch.org/docs/stable/hub.html#torch.hub.load_state_dict_from_url',
      'https://cwe.mitre.org/data/definitions/494.html',
      'https://cwe.mitre.org/data/definitions/319.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
      'https://genai.owasp.org/llmrisk/llm042025-data-and-model-poisoning/',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  // Findings are Keras get_file calls, transformers.js' remoteHost, or a plain-http URL (written in
  // the file) that a fetcher downloads: both must be named somewhere in the text.
  requires: [/get_file|remoteHost/, /^(?=[\s\S]*http:\/\/)[\s\S]*\b(requests|httpx|urllib3?|urlopen|urlretrieve|load_state_dict_from_url|download_url_to_file|load_url|fetch|axios|got|ky|undici|https?\.(get|request)|loadLayersModel|loadGraphModel|InferenceSession)\b/i],
  check({ captures: { call, assignment, value } }, ctx) {
    if (assignment && value) {
      // env.remoteHost = 'http://…': transformers.js downloads every model from there.
      const owner = ctx.javascript.resolve(assignment.childForFieldName('left')?.childForFieldName('object'));
      const shape = owner && TRANSFORMERS_JS_ENV.test(owner) ? urlShape(ctx, value) : undefined;
      if (!shape || !insecureHttp(shape.text)) return undefined;
      return { node: shape.head?.node ?? value, problem: 'http', name: 'env.remoteHost', literal: shape.head?.node, at: shape.head?.at };
    }
    if (!call) return undefined;
    const name = calleeName(ctx, call)?.replace(/^node:/, '');
    if (!name) return undefined;
    const keras = isPython(ctx) && KERAS_GET_FILE.test(name);
    const modelFetcher = keras || (isPython(ctx) ? PY_MODEL_FETCHERS.test(name) : JS_MODEL_LOADERS.test(name));
    const fetcher = isPython(ctx) ? PY_FETCHERS.test(name) : JS_FETCHERS.test(name);
    if (!modelFetcher && !fetcher) return undefined;

    const urlNode = urlArgument(ctx, call, name);
    const shape = urlNode ? urlShape(ctx, urlNode) : undefined;
    const noHash = keras && !ctx.python.argument(call, 'file_hash', 4) && !ctx.python.argument(call, 'md5_hash', 3);
    const display = name.replace(/^global\./, '');
    if (shape && insecureHttp(shape.text) && (modelFetcher || isModelUrl(shape.text))) {
      const pickle = PICKLE_FILE.test(shape.text.replace(/[?#].*$/, ''));
      // Underline the URL where it is written (a constant may be shared by several downloads).
      return { node: shape.head?.node ?? call, problem: 'http', name: display, literal: shape.head?.node, at: shape.head?.at, noHash, severity: pickle ? 'error' : undefined };
    }
    if (noHash) return { node: call, problem: 'no-hash', name: display, confidence: 'medium' };
    return undefined;
  },
  message(s) {
    const name = s.name === 'env.remoteHost' ? 'transformers.js (`env.remoteHost`)' : `\`${s.name}\``;
    if (s.problem === 'http') {
      const hash = s.noHash ? ' and no file_hash is checked' : '';
      return `${name} fetches a model or data file over plain http://${hash}: anyone on the network path can swap it, and a swapped checkpoint can run code when it is loaded or poison what the model does. Use https:// and check the file against a known hash.`;
    }
    return `${name} downloads without file_hash (or md5_hash), so whatever the server returns is cached and used, including a tampered model or dataset; a cached copy is never checked again. Pass file_hash with the file's SHA-256.`;
  },
  fixes(s, ctx) {
    if (s.problem !== 'http' || s.at === undefined) return [];
    if (ctx.text.slice(s.at, s.at + 7).toLowerCase() !== 'http://') return [];
    return [{ title: 'Use https://', applicability: 'safe', edits: [{ start: s.at, end: s.at + 7, newText: 'https://' }] }];
  },
});
