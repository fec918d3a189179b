import { defineRule, type Detection } from '../../engine/rule';
import { isPython } from '../llm';
import {
  describeRevision,
  describeSource,
  isHubName,
  jsHubLoad,
  jsRemoteModelsDisabled,
  jsString,
  pyHubKeyword,
  pyHubLoad,
  pyOffline,
  pySource,
  pyTrust,
  revisionVerdict,
  type RevisionVerdict,
} from '../hub';
import { HUB_CODE } from '../prefilters';

interface State extends Detection {
  name: string;
  /** How the repository is named in the message. */
  what: string;
  revision: RevisionVerdict;
  /** timm / open_clip names carry the revision after `@`. */
  prefixed: boolean;
}

function shortName(name: string): string {
  const parts = name.replace(/^(@huggingface|@xenova)\//, '').split('.');
  return name.endsWith('.from_pretrained') ? parts.slice(-2).join('.') : parts[parts.length - 1];
}

export default defineRule<State>({
  meta: {
    id: 'hub-download-unpinned',
    group: 'supply-chain',
    title: 'Model or dataset fetched from the Hugging Face Hub without a pinned commit',
    // Info: nearly every research script loads by name, and an unpinned download is a
    // reproducibility and supply-chain hygiene issue rather than code execution by itself (the
    // rules that see code run — remote-code-unpinned, torch-load-without-weights-only — are
    // errors). Projects that pin on purpose raise it to warning in their configuration.
    severity: 'info',
    status: 'stable',
    fix: 'none',
    cwe: [494],
    owasp: ['LLM03', 'LLM04'],
    confidence: 'high',
    references: [
      'https://huggingface.co/docs/huggingface_hub/en/guides/download#from-specific-version',
      'https://huggingface.co/docs/transformers/main_classes/model#transformers.PreTrainedModel.from_pretrained',
      'https://huggingface.co/docs/transformers.js/en/api/utils/hub#module_utils/hub..PretrainedOptions',
      'https://cwe.mitre.org/data/definitions/494.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
      'https://genai.owasp.org/llmrisk/llm042025-data-and-model-poisoning/',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: HUB_CODE,
  check({ captures: { call } }, ctx) {
    if (isPython(ctx)) {
      const load = pyHubLoad(ctx, call);
      // Calls that also run the repository's code are reported, as errors, by remote-code-unpinned.
      if (!load || pyOffline(ctx, load) || pyTrust(ctx, load)?.flag?.on) return undefined;
      const source = pySource(ctx, load);
      if (source.kind !== 'hub') return undefined;
      const prefixed = load.role === 'prefixed';
      const revision = prefixed
        ? revisionVerdict(ctx, source.revision === undefined ? undefined : source.node, () => source.revision)
        : revisionVerdict(ctx, pyHubKeyword(ctx, load, 'revision'));
      if (revision.kind !== 'moving') return undefined;
      // A project class's from_pretrained, or a name taken from the environment, is less certain.
      const unsure = load.family === 'unresolved' || source.environment !== undefined || source.dynamic;
      return { node: call, name: shortName(load.name), what: describeSource(source), revision, prefixed, confidence: unsure ? 'medium' : undefined };
    }

    const load = jsHubLoad(ctx, call);
    if (!load || jsRemoteModelsDisabled(ctx)) return undefined;
    const js = ctx.javascript;
    const model = jsString(ctx, load.source);
    if (!load.defaultModel && !load.explicit && !(model && isHubName(model.value, 'model'))) return undefined;
    const offline = js.property(load.options, 'local_files_only');
    if (offline && js.literal(offline)?.value === true) return undefined;
    const revision = revisionVerdict(ctx, js.property(load.options, 'revision'), (n) => js.literal(n)?.value);
    if (revision.kind !== 'moving') return undefined;
    const what = load.defaultModel ? "the task's default model" : model ? `"${model.value}"` : `the repository in \`${load.source?.text ?? '?'}\``;
    return { node: call, name: shortName(load.name), what, revision, prefixed: false, confidence: model || load.defaultModel ? undefined : 'medium' };
  },
  message(s) {
    const pin = s.prefixed ? 'append @<commit SHA> to the hf-hub: name' : 'pass it as revision';
    return `\`${s.name}\` fetches ${s.what} from the Hugging Face Hub with ${describeRevision(s.revision)}, so it gets whatever the repository holds when this runs: a later push or a compromised account changes the weights, tokenizer or data loaded here without any change to this code. Pin a full 40-character commit SHA you have checked: ${pin}.`;
  },
});
