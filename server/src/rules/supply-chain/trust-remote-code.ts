import type { Node } from 'web-tree-sitter';
import { defineRule, replaceNode, type Detection, type RuleContext } from '../../engine/rule';
import { describeSource, pyFlag, pyHubKeyword, pyHubLoad, pySource, revisionVerdict, type SourceVerdict } from '../hub';

/** Where the switch is written: a call keyword, a kwargs dict entry, an attribute, a class field. */
type Place = 'keyword' | 'dict' | 'attribute' | 'field';

interface State extends Detection {
  place: Place;
  /** The expression to turn off: the value written here, or the parameter default it comes from. */
  target: Node;
  fromDefault: boolean;
  /** The loader the setting reaches, when the file shows it. */
  loader?: string;
  dataset: boolean;
  /** The call pins revision to a commit: the code that runs is fixed (and can be reviewed). */
  pinned: boolean;
  source?: SourceVerdict;
}

const FIELD_FACTORIES = /^(dataclasses\.field|pydantic\.(fields\.)?Field|attrs?\.(ib|field|attrib))$/;

/** The call a keyword or a kwargs-dict entry is passed to: `f(k=v)`, `f(model_kwargs={k: v})`, `f(**{k: v})`. */
function carrierCall(argument: Node): Node | undefined {
  let node: Node | null = argument;
  if (node.type === 'pair') {
    const dict: Node | null = node.parent;
    const holder = dict?.parent ?? null;
    if (!holder || (holder.type !== 'keyword_argument' && holder.type !== 'dictionary_splat')) return undefined;
    node = holder;
  }
  const list = node.parent;
  const call = list?.type === 'argument_list' ? list.parent : null;
  return call?.type === 'call' ? call : undefined;
}

/** The value a class field holds: `True`, or the default of `field(default=True)` / `Field(True)`. */
function fieldValue(ctx: RuleContext, value: Node): Node | undefined {
  if (value.type !== 'call') return value;
  const factory = ctx.python.resolve(value.childForFieldName('function'));
  if (!factory || !FIELD_FACTORIES.test(factory)) return undefined;
  return ctx.python.argument(value, 'default', factory.startsWith('pydantic') ? 0 : undefined);
}

/** `AutoModel.from_pretrained`, `pipeline`, `SentenceTransformer` for messages. */
function shortName(name: string): string {
  const parts = name.split('.');
  return name.endsWith('.from_pretrained') || name.endsWith('.from_model_id') ? parts.slice(-2).join('.') : parts[parts.length - 1];
}

export default defineRule<State>({
  meta: {
    id: 'trust-remote-code',
    group: 'supply-chain',
    title: 'trust_remote_code=True runs Python code shipped with a model or dataset',
    severity: 'warning',
    status: 'stable',
    fix: 'unsafe',
    cwe: [94, 494],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://huggingface.co/docs/transformers/en/models#custom-models',
      'https://huggingface.co/docs/transformers/main_classes/model#transformers.PreTrainedModel.from_pretrained',
      'https://huggingface.co/docs/datasets/en/package_reference/loading_methods#datasets.load_dataset',
      'https://cwe.mitre.org/data/definitions/494.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  requires: /trust_remote_code/,
  check({ captures: { argument, value } }, ctx) {
    if (!argument || !value) return undefined;
    const place: Place = argument.type === 'keyword_argument' ? 'keyword' : argument.type === 'pair' ? 'dict' : argument.parent?.parent?.parent?.type === 'class_definition' ? 'field' : 'attribute';
    const setting = place === 'field' ? fieldValue(ctx, value) : value;
    const flag = setting ? pyFlag(ctx, setting) : undefined;
    if (!flag?.on) return undefined;

    const call = place === 'keyword' || place === 'dict' ? carrierCall(argument) : undefined;
    const load = call ? pyHubLoad(ctx, call) : undefined;
    const source = load ? pySource(ctx, load) : undefined;
    // Code in a local folder is code the project already has on disk: still executed, but not
    // fetched here. A model object handed to pipeline() was loaded (and is judged) elsewhere.
    const local = source?.kind === 'local' || source?.kind === 'object';
    // Pinned to a commit is the remediation this rule recommends when the code is needed: keep it visible, as information.
    const pinned = !!load && source?.kind === 'hub' && revisionVerdict(ctx, pyHubKeyword(ctx, load, 'revision')).kind === 'pinned';
    return {
      node: argument,
      place,
      target: flag.fromDefault ? flag.node : setting!,
      fromDefault: !!flag.fromDefault,
      loader: load ? shortName(load.name) : undefined,
      dataset: load?.family === 'datasets',
      pinned,
      source,
      severity: local || pinned ? 'info' : undefined,
      confidence: local || pinned || flag.fromDefault ? 'medium' : undefined,
    };
  },
  message(s) {
    const switched = s.fromDefault
      ? '`trust_remote_code` defaults to True here'
      : s.place === 'dict'
        ? '`"trust_remote_code": True` is passed on as a keyword argument'
        : s.place === 'field'
          ? '`trust_remote_code` defaults to True in this argument class'
          : '`trust_remote_code` is set to True';
    const loader = s.loader ? `\`${s.loader}\`` : 'the Hugging Face loader it reaches';
    const code = s.dataset ? "the dataset's Python loading script" : "the repository's own Python code (modeling_*.py, configuration_*.py)";
    if (s.source?.kind === 'object') {
      return `${switched}, so ${loader} may import and run custom code for the parts it loads itself (tokenizer, processor) from the model's repository. Pass those objects in as well and set trust_remote_code=False, or pin and review the repository's code.`;
    }
    if (s.source?.kind === 'local') {
      return `${switched}, so ${loader} imports and runs ${code} from that local folder. Run only code you have reviewed, or use a model class transformers ships and set trust_remote_code=False.`;
    }
    const from = s.source?.kind === 'hub' ? ` from ${describeSource(s.source)}` : '';
    if (s.pinned) {
      return `${switched}, so ${loader} runs ${code}${from} at the pinned commit. Make sure that commit's code was reviewed, or use a model or dataset that needs no custom code and set trust_remote_code=False.`;
    }
    return `${switched}, so ${loader} downloads and runs ${code}${from}: whoever can push to that repository runs code in this process. Prefer a model or dataset that needs no custom code and set trust_remote_code=False; if the code is needed, review it and pin revision to a full commit SHA.`;
  },
  fixes(s) {
    return [{ title: s.fromDefault ? 'Default trust_remote_code to False' : 'Set trust_remote_code=False', applicability: 'unsafe', edits: [replaceNode(s.target, 'False')] }];
  },
});
