// Shared vocabulary of the supply-chain rules: which calls fetch models, datasets or code from
// the Hugging Face Hub (and timm/open_clip `hf-hub:` names, transformers.js), which argument names
// the repository, whether that names a local path, whether a revision pins a commit, and where
// `trust_remote_code` is switched on. Python and JavaScript/TypeScript.
import type { Node } from 'web-tree-sitter';
import { stringValue } from '../engine/facts/javascript';
import type { LiteralValue } from '../engine/facts/literals';
import type { RuleContext } from '../engine/rule';

/** A full commit id: the only revision that cannot move. Branches, tags and short SHAs can. */
const FULL_SHA = /^[0-9a-f]{40}$/i;

export function isFullSha(value: unknown): value is string {
  return typeof value === 'string' && FULL_SHA.test(value);
}

// ---------------------------------------------------------------------------------------------
// Is a name a Hub repository or a local path?

/** Folder names that a two-part relative path like `checkpoints/best` starts with; no Hub owner is named so. */
const LOCAL_FOLDERS = new Set([
  'model', 'models', 'checkpoint', 'checkpoints', 'ckpt', 'ckpts', 'output', 'outputs', 'out', 'result', 'results', 'run', 'runs',
  'saved', 'saved_model', 'saved_models', 'artifacts', 'weights', 'data', 'datasets', 'tmp', 'temp', 'cache', 'exp', 'experiments',
  'local', 'pretrained', 'export', 'exports', 'finetuned', 'build', 'resources', 'assets', 'src', 'lora', 'adapters',
]);

/** File endings that make a name a local file, not a repository. */
const FILE_ENDING = /\.(json|jsonl|csv|tsv|parquet|arrow|txt|pt|pth|bin|ckpt|safetensors|gguf|onnx|h5|pkl|zip|tar|gz|yaml|yml)$/i;

/**
 * Models that predate Hub namespaces and are still loaded by their bare names (`gpt2`,
 * `bert-base-uncased`). Any other bare name is taken as a local folder, as transformers tries first.
 */
const LEGACY_MODEL = /^(bert|distilbert|roberta|distilroberta|xlm|xlnet|t5|mt5|albert|bart|mbart|gpt2|distilgpt2|openai-gpt|ctrl|camembert|flaubert|electra|longformer|pegasus|deberta|facebook|google)(-|$)/i;

/** datasets' packaged builders: `load_dataset("csv", data_files=...)` reads local files. */
const PACKAGED_BUILDERS = new Set(['csv', 'json', 'parquet', 'text', 'arrow', 'pandas', 'imagefolder', 'audiofolder', 'videofolder', 'webdataset', 'sql', 'generator', 'xml', 'hdf5', 'spark', 'cache', 'folder', 'pdffolder', 'niftifolder', 'eval']);

export type RepoRole = 'model' | 'dataset';

/** Whether a name would be fetched from the Hub (true) or read from disk (false). */
export function isHubName(name: string, role: RepoRole): boolean {
  const value = name.trim();
  if (!value || /\s/.test(value)) return false;
  if (/^https?:\/\/(www\.)?huggingface\.co\//i.test(value) || value.startsWith('hf://')) return true;
  if (/^(\.{1,2}([\\/]|$)|[\\/~]|[a-z]:[\\/]|file:)/i.test(value) || value.includes('\\') || FILE_ENDING.test(value)) return false;
  const parts = value.split('/');
  if (parts.length > 2 || !parts.every((p) => /^[\w.-]+$/.test(p) && !p.startsWith('.'))) return false;
  if (parts.length === 2) return !LOCAL_FOLDERS.has(parts[0].toLowerCase());
  return role === 'dataset' ? !PACKAGED_BUILDERS.has(value.toLowerCase()) : LEGACY_MODEL.test(value);
}

/** timm and open_clip spell Hub models `hf-hub:owner/name` (optionally `@revision`). */
const HUB_PREFIX = /^hf[-_]hub:/i;

export function hubPrefixed(name: string): { id: string; revision?: string } | undefined {
  if (!HUB_PREFIX.test(name)) return undefined;
  const [id, revision] = name.replace(HUB_PREFIX, '').split('@');
  return { id, revision };
}

// ---------------------------------------------------------------------------------------------
// Python values

export interface PyConstant extends LiteralValue {
  /** The expression that holds the value (a literal, or the default of an environment lookup). */
  node: Node;
  /** Read from `os.environ.get(NAME, default)` / `os.getenv`: the default, unless the environment says otherwise. */
  environment?: string;
}

const ENV_GETTERS = new Set(['os.environ.get', 'os.getenv', 'os.environ.setdefault']);

/** The constant an expression has (following variables), including the default of an environment lookup. */
export function pyConstant(ctx: RuleContext, node: Node): PyConstant | undefined {
  const py = ctx.python;
  const def = py.definition(node);
  const literal = py.literal(def);
  if (literal) return { ...literal, node: def };
  if (def.type === 'call' && ENV_GETTERS.has(py.resolve(def.childForFieldName('function')) ?? '')) {
    const args = py.callArguments(def);
    const name = args.positional[0] ? py.literal(args.positional[0]) : undefined;
    const fallback = args.keywords.get('default') ?? args.positional[1];
    const value = fallback ? pyConstant(ctx, fallback) : { value: null, node: def };
    return value && { ...value, environment: typeof name?.value === 'string' ? name.value : '?' };
  }
  return undefined;
}

export interface Truthiness {
  on: boolean;
  /** The expression that decides it: the value itself, or a parameter's default. */
  node: Node;
  /** The value comes from a parameter default (`def load(trust_remote_code=True)`). */
  fromDefault?: boolean;
}

/** Whether a flag expression is certainly on or off: a literal, a constant, or a parameter's literal default. */
export function pyFlag(ctx: RuleContext, node: Node): Truthiness | undefined {
  const constant = ctx.python.literal(node);
  if (constant) return { on: !!constant.value, node: ctx.python.definition(node) };
  if (node.type === 'identifier') {
    const binding = ctx.python.scopes.scopeAt(node).lookup(node.text, node.startIndex);
    const param = binding?.kind === 'param' ? binding.node : undefined;
    const fallback = param && (param.type === 'default_parameter' || param.type === 'typed_default_parameter') ? param.childForFieldName('value') : null;
    const value = fallback ? ctx.python.literal(fallback) : undefined;
    if (fallback && value) return { on: !!value.value, node: fallback, fromDefault: true };
  }
  return undefined;
}

/** The literal-keyed entries of `{"k": v}` or `dict(k=v)`, following variables; undefined for anything else. */
export function pyDictEntries(ctx: RuleContext, node: Node): Map<string, Node> | undefined {
  const py = ctx.python;
  const def = py.definition(node);
  const out = new Map<string, Node>();
  if (def.type === 'dictionary') {
    for (const pair of def.namedChildren) {
      if (pair?.type !== 'pair') continue;
      const key = pair.childForFieldName('key');
      const value = pair.childForFieldName('value');
      const name = key ? py.literal(key)?.value : undefined;
      if (typeof name === 'string' && value) out.set(name, value);
    }
    return out;
  }
  if (def.type === 'call' && py.resolve(def.childForFieldName('function')) === 'builtins.dict') return new Map(py.callArguments(def).keywords);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Python calls that fetch from the Hub

export type HubFamily = 'transformers' | 'diffusers' | 'peft' | 'sentence-transformers' | 'datasets' | 'huggingface_hub' | 'vllm' | 'timm' | 'open_clip' | 'langchain' | 'unresolved';

export interface HubLoad {
  call: Node;
  /** The qualified name, or the callee's text when it could not be resolved. */
  name: string;
  family: HubFamily;
  /** What the repository argument names: a model, a dataset, any repo (explicit downloads), or an `hf-hub:` name. */
  role: RepoRole | 'repo' | 'prefixed';
  /** transformers' pipeline(), which also accepts model objects. */
  kind: 'pipeline' | 'other';
  /** The repository argument, when given. */
  source?: Node;
  /** transformers' `pipeline(task)` without a model downloads the task's default model. */
  defaultModel?: boolean;
  /** Honours `code_revision` (code that lives in another repository than the weights). */
  codeRevision: boolean;
  /** Keywords whose dict is forwarded to from_pretrained (`model_kwargs={...}`), where trust and revision may hide. */
  forwarded: string[];
  /** Loads weights (model classes), as opposed to tokenizers, configs, processors, schedulers. */
  weights: boolean;
}

interface HubPattern {
  test: RegExp;
  family: HubFamily;
  role: HubLoad['role'];
  keyword: string;
  position: number;
  codeRevision?: boolean;
  forwarded?: string[];
}

const FROM_PRETRAINED_SOURCE = 'pretrained_model_name_or_path';

const PY_PATTERNS: HubPattern[] = [
  { test: /^transformers\.(?:pipelines\.)?pipeline$/, family: 'transformers', role: 'model', keyword: 'model', position: 1, codeRevision: true, forwarded: ['model_kwargs'] },
  // The Auto classes resolve remote code through `auto_map` and honour code_revision.
  { test: /^transformers\.(?:[\w.]+\.)?(?:TF|Flax)?Auto\w+\.from_pretrained$/, family: 'transformers', role: 'model', keyword: FROM_PRETRAINED_SOURCE, position: 0, codeRevision: true },
  { test: /^transformers\.[\w.]+\.from_pretrained$/, family: 'transformers', role: 'model', keyword: FROM_PRETRAINED_SOURCE, position: 0 },
  { test: /^diffusers\.[\w.]+\.from_pretrained$/, family: 'diffusers', role: 'model', keyword: FROM_PRETRAINED_SOURCE, position: 0 },
  // PeftModel.from_pretrained(base_model, adapter_id)
  { test: /^peft\.(?:[\w.]+\.)?PeftModel(?:For\w+)?\.from_pretrained$/, family: 'peft', role: 'model', keyword: 'model_id', position: 1 },
  { test: /^peft\.[\w.]+\.from_pretrained$/, family: 'peft', role: 'model', keyword: FROM_PRETRAINED_SOURCE, position: 0 },
  { test: /^sentence_transformers\.(?:[\w.]+\.)?(?:SentenceTransformer|SparseEncoder)$/, family: 'sentence-transformers', role: 'model', keyword: 'model_name_or_path', position: 0, forwarded: ['model_kwargs', 'tokenizer_kwargs', 'config_kwargs'] },
  { test: /^sentence_transformers\.(?:[\w.]+\.)?CrossEncoder$/, family: 'sentence-transformers', role: 'model', keyword: 'model_name_or_path', position: 0, forwarded: ['model_kwargs', 'tokenizer_kwargs', 'config_kwargs', 'automodel_args'] },
  { test: /^datasets\.(?:load\.)?(?:load_dataset|load_dataset_builder|get_dataset_config_names|get_dataset_split_names|get_dataset_infos|get_dataset_config_info)$/, family: 'datasets', role: 'dataset', keyword: 'path', position: 0 },
  { test: /^huggingface_hub\.(?:[\w.]+\.)?(?:HfApi\(\)\.)?(?:hf_hub_download|snapshot_download)$/, family: 'huggingface_hub', role: 'repo', keyword: 'repo_id', position: 0 },
  { test: /^vllm\.(?:[\w.]+\.)?(?:LLM|EngineArgs|AsyncEngineArgs)$/, family: 'vllm', role: 'model', keyword: 'model', position: 0, codeRevision: true },
  { test: /^timm\.(?:models\.)?create_model$/, family: 'timm', role: 'prefixed', keyword: 'model_name', position: 0 },
  { test: /^open_clip\.(?:[\w.]+\.)?(?:create_model|create_model_and_transforms|create_model_from_pretrained|get_tokenizer)$/, family: 'open_clip', role: 'prefixed', keyword: 'model_name', position: 0 },
  { test: /^langchain(?:_huggingface|_community|)(?:\.[\w.]+)?\.HuggingFace(?:Embeddings|BgeEmbeddings|InstructEmbeddings)$/, family: 'langchain', role: 'model', keyword: 'model_name', position: -1, forwarded: ['model_kwargs', 'encode_kwargs'] },
  { test: /^langchain(?:_huggingface|_community|)(?:\.[\w.]+)?\.HuggingFacePipeline\.from_model_id$/, family: 'langchain', role: 'model', keyword: 'model_id', position: -1, forwarded: ['model_kwargs'] },
];

/** Classes whose from_pretrained reads configuration or vocabulary, not weights. */
const NOT_WEIGHTS = /(Tokenizer\w*|Config|Processor|FeatureExtractor|Scheduler)$/;

/** The Python call, described, when it fetches from the Hub; undefined for anything else. */
export function pyHubLoad(ctx: RuleContext, call: Node): HubLoad | undefined {
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  const name = ctx.python.resolve(callee);
  if (name) {
    const pattern = PY_PATTERNS.find((p) => p.test.test(name));
    if (pattern) {
      const source = ctx.python.argument(call, pattern.keyword, pattern.position >= 0 ? pattern.position : undefined);
      const className = /\.(\w+)\.from_pretrained$/.exec(name)?.[1] ?? '';
      const weights = /\.from_pretrained$/.test(name) ? !NOT_WEIGHTS.test(className) && !/^(TF|Flax)/.test(className) : pattern.family !== 'datasets' && pattern.family !== 'huggingface_hub';
      return {
        call,
        name,
        family: pattern.family,
        role: pattern.role,
        kind: /\.pipeline$/.test(name) ? 'pipeline' : 'other',
        source,
        defaultModel: pattern.family === 'transformers' && pattern.keyword === 'model' && !source,
        codeRevision: !!pattern.codeRevision,
        forwarded: pattern.forwarded ?? [],
        weights,
      };
    }
    // torch.nn.Embedding.from_pretrained(tensor) and other libraries' from_pretrained take no Hub name.
    if (!name.endsWith('.from_pretrained') || /^(torch|builtins)\./.test(name)) return undefined;
  }
  // `Model.from_pretrained(...)` on a class this file cannot resolve (a project subclass, a
  // factory's result): from_pretrained with a Hub-shaped name is the Hugging Face convention.
  if (callee.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'from_pretrained') return undefined;
  if (name && !name.endsWith('.from_pretrained')) return undefined;
  return {
    call,
    name: name ?? callee.text.replace(/\s+/g, ''),
    family: 'unresolved',
    role: 'model',
    kind: 'other',
    source: ctx.python.argument(call, FROM_PRETRAINED_SOURCE, 0),
    codeRevision: false,
    forwarded: [],
    weights: !NOT_WEIGHTS.test(callee.childForFieldName('object')?.text ?? ''),
  };
}

export type SourceVerdict =
  /** `id` is '' for a task's default model; `dynamic` when an explicit download names its repository at run time. */
  | { kind: 'hub'; id: string; node: Node; revision?: string; environment?: string; dynamic?: boolean }
  | { kind: 'local' }
  /** A model object loaded elsewhere (pipeline(model=model)); that load is judged where it happens. */
  | { kind: 'object' }
  | { kind: 'unknown' };

/** Calls whose result is a path on this machine (a Hub download returns the local copy's path). */
const PATH_BUILDERS = /^(os\.path\.\w+|os\.getcwd|pathlib\.\w*Path(\(\)\.\w+)*|tempfile\.\w+|huggingface_hub\.(?:[\w.]+\.)?(hf_hub_download|snapshot_download|try_to_load_from_cache))$/;

/** Whether an expression builds a file-system path: `os.path.join(...)`, `Path(...) / "x"`, `f"/models/{name}"`, `str(Path(...))`. */
function isPathExpression(ctx: RuleContext, node: Node, depth = 0): boolean {
  if (depth > 4) return false;
  const def = ctx.python.definition(node);
  if (def.type === 'binary_operator' && def.childForFieldName('operator')?.type === '/') return true;
  if (def.type === 'string') {
    const first = def.namedChildren.find((c) => c?.type === 'string_content' || c?.type === 'interpolation');
    return first?.type === 'string_content' && /^(\.{0,2}\/|~)/.test(first.text);
  }
  if (def.type !== 'call') return false;
  const callee = ctx.python.resolve(def.childForFieldName('function'));
  if (callee === 'builtins.str') {
    const inner = ctx.python.callArguments(def).positional[0];
    return !!inner && isPathExpression(ctx, inner, depth + 1);
  }
  return !!callee && PATH_BUILDERS.test(callee);
}

/** What the repository argument of a Hub call names, as far as constants say. */
export function pySource(ctx: RuleContext, load: HubLoad): SourceVerdict {
  if (load.defaultModel) return { kind: 'hub', id: '', node: load.call };
  if (!load.source) return { kind: 'unknown' };
  if (load.role !== 'repo' && isPathExpression(ctx, load.source)) return { kind: 'local' };
  // pipeline(model=<a loaded model>) and the like: an object built elsewhere, where that load is judged.
  const def = ctx.python.definition(load.source);
  if (def.type === 'call' && (pyHubLoad(ctx, def) || (load.kind === 'pipeline' && !pyConstant(ctx, def)))) return { kind: 'object' };
  const constant = pyConstant(ctx, load.source);
  if (typeof constant?.value !== 'string') return load.role === 'repo' ? { kind: 'hub', id: load.source.text, node: load.source, dynamic: true } : { kind: 'unknown' };
  const value = constant.value;
  const environment = constant.environment;
  if (load.role === 'prefixed') {
    const prefixed = hubPrefixed(value);
    return prefixed ? { kind: 'hub', id: prefixed.id, revision: prefixed.revision, node: constant.node, environment } : { kind: 'local' };
  }
  // Explicit downloads always go to the Hub, whatever the name looks like.
  if (load.role === 'repo' || isHubName(value, load.role)) return { kind: 'hub', id: value, node: constant.node, environment };
  return { kind: 'local' };
}

/** A keyword of a Hub call: passed directly (or through `**{...}`), or inside a forwarded kwargs dict. */
export function pyHubKeyword(ctx: RuleContext, load: HubLoad, keyword: string): Node | undefined {
  const args = ctx.python.callArguments(load.call);
  const direct = args.keywords.get(keyword);
  if (direct) return direct;
  for (const name of load.forwarded) {
    const dict = args.keywords.get(name);
    const entries = dict ? pyDictEntries(ctx, dict) : undefined;
    const value = entries?.get(keyword);
    if (value) return value;
  }
  return undefined;
}

/** Whether a Hub call is told to use the local cache only (`local_files_only=True`): nothing is fetched here. */
export function pyOffline(ctx: RuleContext, load: HubLoad): boolean {
  const value = pyHubKeyword(ctx, load, 'local_files_only');
  return !!value && pyFlag(ctx, value)?.on === true;
}

export type RevisionVerdict =
  | { kind: 'pinned'; sha: string; node: Node }
  /** No revision, or one that can move: a branch, a tag, a short SHA, None. */
  | { kind: 'moving'; value?: string; node?: Node }
  /** A revision this file cannot read (a parameter, a config lookup). */
  | { kind: 'unknown'; node: Node };

export function revisionVerdict(ctx: RuleContext, node: Node | undefined, constant = (n: Node) => pyConstant(ctx, n)?.value): RevisionVerdict {
  if (!node) return { kind: 'moving' };
  const value = constant(node);
  if (isFullSha(value)) return { kind: 'pinned', sha: value, node };
  if (typeof value === 'string') return { kind: 'moving', value, node };
  if (value === null) return { kind: 'moving', node };
  return { kind: 'unknown', node };
}

/** How a revision was described in a message: "no revision", "revision \"main\"". */
export function describeRevision(v: RevisionVerdict): string {
  if (v.kind !== 'moving') return 'a revision';
  if (v.value === undefined) return v.node ? 'revision None' : 'no revision';
  if (/^[0-9a-f]{7,39}$/i.test(v.value)) return `the short commit id "${v.value}" (only a full 40-character SHA is unambiguous)`;
  return `revision "${v.value}" (a branch or tag, which can be moved)`;
}

/** `"org/name"` or "the task's default model" for messages. */
export function describeSource(source: SourceVerdict & { kind: 'hub' }): string {
  if (!source.id) return "the task's default model";
  if (source.dynamic) return `the repository in \`${source.id}\``;
  return `"${source.id}"${source.environment ? ` (the default of $${source.environment})` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// trust_remote_code in Python

/** The keywords that carry trust_remote_code into a Hub call, directly or in a forwarded dict. */
export function pyTrust(ctx: RuleContext, load: HubLoad): { value: Node; flag?: Truthiness } | undefined {
  const value = pyHubKeyword(ctx, load, 'trust_remote_code');
  return value ? { value, flag: pyFlag(ctx, value) } : undefined;
}

// ---------------------------------------------------------------------------------------------
// JavaScript / TypeScript: transformers.js and @huggingface/hub

const TRANSFORMERS_JS = '(?:@huggingface/transformers|@xenova/transformers)';
const JS_PIPELINE = new RegExp(`^${TRANSFORMERS_JS}\\.pipeline$`);
const JS_FROM_PRETRAINED = new RegExp(`^${TRANSFORMERS_JS}\\.\\w+\\.from_pretrained$`);
const JS_HUB_DOWNLOAD = /^@huggingface\/hub\.(downloadFile|downloadFileToCacheDir|snapshotDownload|fileDownloadInfo)$/;

export interface JsHubLoad {
  call: Node;
  name: string;
  /** The model id argument (pipeline's second, from_pretrained's first) or the `repo` option. */
  source?: Node;
  /** The options object that may carry `revision`. */
  options?: Node;
  defaultModel?: boolean;
  /** @huggingface/hub downloads always fetch from the Hub. */
  explicit: boolean;
}

export function jsHubLoad(ctx: RuleContext, call: Node): JsHubLoad | undefined {
  const callee = call.childForFieldName('function');
  const name = callee ? ctx.javascript.resolve(callee) : undefined;
  if (!name) return undefined;
  const args = ctx.javascript.callArguments(call);
  if (JS_PIPELINE.test(name)) {
    const model = args[1];
    const absent = !model || ctx.javascript.literal(model)?.value === null;
    return { call, name, source: absent ? undefined : model, options: args[2], defaultModel: absent, explicit: false };
  }
  if (JS_FROM_PRETRAINED.test(name)) return { call, name, source: args[0], options: args[1], explicit: false };
  if (JS_HUB_DOWNLOAD.test(name)) {
    const repo = ctx.javascript.property(args[0], 'repo');
    const repoName = repo && ctx.javascript.definition(repo).type === 'object' ? ctx.javascript.property(repo, 'name') : repo;
    return { call, name, source: repoName, options: args[0], explicit: true };
  }
  return undefined;
}

const offlineFiles = new WeakMap<RuleContext, boolean>();

/**
 * Whether the file turns remote loading off (`env.allowRemoteModels = false`): transformers.js
 * then reads every model from `env.localModelPath`, so nothing is fetched.
 */
export function jsRemoteModelsDisabled(ctx: RuleContext): boolean {
  let known = offlineFiles.get(ctx);
  if (known === undefined) {
    known = false;
    for (const node of ctx.tree.rootNode.descendantsOfType('assignment_expression')) {
      const left = node?.childForFieldName('left');
      if (!node || left?.type !== 'member_expression' || left.childForFieldName('property')?.text !== 'allowRemoteModels') continue;
      const owner = ctx.javascript.resolve(left.childForFieldName('object'));
      if (owner && new RegExp(`^${TRANSFORMERS_JS}\\.env$`).test(owner) && node.childForFieldName('right')?.type === 'false') known = true;
    }
    offlineFiles.set(ctx, known);
  }
  return known;
}

/** A JS string constant (following `const` bindings). */
export function jsString(ctx: RuleContext, node: Node | undefined): { value: string; node: Node } | undefined {
  if (!node) return undefined;
  const def = ctx.javascript.definition(node);
  const value = stringValue(def);
  return value === undefined ? undefined : { value, node: def };
}
