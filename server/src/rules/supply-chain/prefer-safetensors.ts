import type { Node } from 'web-tree-sitter';
import { defineRule, type Detection } from '../../engine/rule';
import { addArgument, replaceArgumentValue } from '../python-edits';
import { describeSource, pyFlag, pyHubLoad, pySource, type SourceVerdict } from '../hub';
import { HUB_CODE } from '../prefilters';

/** Loading options that read another format on purpose: TF/Flax checkpoints, GGUF files. */
const OTHER_FORMATS = ['from_tf', 'from_flax', 'gguf_file'];

interface State extends Detection {
  name: string;
  source: SourceVerdict & { kind: 'hub' };
  call: Node;
  /** The use_safetensors value, when one is passed (False or None). */
  value?: Node;
  /** use_safetensors=False: pickle weights are allowed on purpose. */
  off: boolean;
  /** **kwargs the file cannot read: adding a keyword could pass it twice. */
  splat: boolean;
}

export default defineRule<State>({
  meta: {
    id: 'prefer-safetensors',
    group: 'supply-chain',
    title: 'from_pretrained may fall back to pickle weights; require safetensors',
    severity: 'info',
    status: 'stable',
    fix: 'unsafe',
    cwe: [502, 494],
    owasp: ['LLM03'],
    confidence: 'medium',
    references: [
      'https://huggingface.co/docs/transformers/main_classes/model#transformers.PreTrainedModel.from_pretrained',
      'https://huggingface.co/docs/safetensors/index',
      'https://huggingface.co/docs/diffusers/using-diffusers/other-formats',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  requires: HUB_CODE,
  check({ captures: { call } }, ctx) {
    const load = pyHubLoad(ctx, call);
    // Only transformers and diffusers model classes take use_safetensors; tokenizers, configs
    // and schedulers read no weights.
    if (!load || (load.family !== 'transformers' && load.family !== 'diffusers') || !load.name.endsWith('.from_pretrained') || !load.weights) return undefined;
    const source = pySource(ctx, load);
    if (source.kind !== 'hub') return undefined;
    const args = ctx.python.callArguments(call);
    if (OTHER_FORMATS.some((k) => { const v = args.keywords.get(k); return v && (k === 'gguf_file' || pyFlag(ctx, v)?.on); })) return undefined;
    const value = args.keywords.get('use_safetensors');
    const flag = value ? pyFlag(ctx, value) : undefined;
    if (value && (!flag || flag.on)) return undefined; // True, or a value this file cannot read
    const off = !!value && ctx.python.literal(value)?.value === false;
    const parts = load.name.split('.');
    return {
      node: call,
      call,
      name: parts.slice(-2).join('.'),
      source,
      value,
      off,
      splat: args.unresolvedSplat,
      severity: off ? 'warning' : undefined,
      confidence: off ? 'high' : undefined,
    };
  },
  message(s) {
    const name = `\`${s.name}\``;
    const from = describeSource(s.source);
    if (s.off) {
      return `${name} loads ${from} with use_safetensors=False, which allows pickled weights (pytorch_model.bin): a crafted or tampered checkpoint can run code when it is unpickled. Pass use_safetensors=True so only safetensors files are read.`;
    }
    return `${name} loads ${from} without use_safetensors=True: when the repository has no safetensors weights (or they are removed in a later push), it silently falls back to pickled .bin weights (pytorch_model.bin), which can run code when unpickled. Pass use_safetensors=True to refuse pickle weights.`;
  },
  fixes(s, ctx) {
    const edits = s.value ? replaceArgumentValue(s.call, s.value, 'True') : s.splat ? undefined : addArgument(s.call, ctx.text, 'use_safetensors=True');
    return edits ? [{ title: 'Pass use_safetensors=True (fails if the repository has no safetensors weights)', applicability: 'unsafe', edits }] : [];
  },
});
