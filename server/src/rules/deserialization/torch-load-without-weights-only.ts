import type { Node } from 'web-tree-sitter';
import type { PythonFacts } from '../../engine/facts/python';
import { defineRule, type Detection } from '../../engine/rule';
import { oneOf, resolveTarget } from '../python-helpers';
import { addArgument, replaceArgumentValue } from '../python-edits';

const isTorchLoad = oneOf('torch.load', 'torch.serialization.load');
const isPartial = oneOf('functools.partial');

/**
 * false: weights_only=False; omitted: not passed (or None, the default); dynamic: not a literal;
 * hidden: not visible but **kwargs may carry it; pickle-module: a custom unpickler;
 * reference: torch.load passed as a loader, so it runs with the default.
 */
type Problem = 'false' | 'omitted' | 'dynamic' | 'hidden' | 'pickle-module' | 'reference';

interface State extends Detection {
  name: string;
  problem: Problem;
  /** The call whose arguments configure the load: torch.load(...) or functools.partial(torch.load, ...). */
  call?: Node;
  /** The weights_only value, when one is passed. */
  value?: Node;
}

const SEVERITY = {
  false: ['error', 'high'],
  'pickle-module': ['error', 'high'],
  omitted: ['warning', 'medium'],
  reference: ['warning', 'medium'],
  dynamic: ['info', 'low'],
  hidden: ['info', 'low'],
} as const;

export default defineRule<State>({
  meta: {
    id: 'torch-load-without-weights-only',
    group: 'deserialization',
    title: 'torch.load without weights_only=True unpickles arbitrary objects',
    severity: 'warning',
    status: 'stable',
    fix: 'unsafe',
    cwe: [502],
    owasp: ['LLM03'],
    confidence: 'medium',
    references: [
      'https://pytorch.org/docs/stable/generated/torch.load.html',
      'https://pytorch.org/docs/stable/notes/serialization.html#weights-only',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  check(match, ctx) {
    const target = resolveTarget(match, ctx, isTorchLoad);
    if (!target) return undefined;
    // functools.partial(torch.load, ...) fixes the keywords of every later call, so judge those.
    const call = target.call ?? partialOf(target.node, ctx.python);
    if (!call) return detection(target.node, target.name, 'reference');
    const shift = call === target.call ? 0 : 1;

    const args = ctx.python.callArguments(call);
    const value = args.keywords.get('weights_only');
    const setting = value ? ctx.python.literal(value) : undefined;
    // A truthy literal is safe; torch refuses to load when a pickle_module is forced on top of it.
    if (setting?.value) return undefined;

    const pickleModule = args.keywords.get('pickle_module') ?? args.positional[2 + shift];
    if (pickleModule && ctx.python.literal(pickleModule)?.value !== null) return detection(call, target.name, 'pickle-module', call, value);
    if (!value) return detection(call, target.name, args.unresolvedSplat ? 'hidden' : 'omitted', call);
    if (!setting) return detection(call, target.name, 'dynamic', call, value);
    return detection(call, target.name, setting.value === null ? 'omitted' : 'false', call, value);
  },
  message(s) {
    const name = `\`${s.name}\``;
    const runs = 'a crafted checkpoint runs arbitrary code when it is loaded';
    switch (s.problem) {
      case 'false':
        return `${name} is called with weights_only=False, so the file is fully unpickled and ${runs}. Pass weights_only=True (tensors and plain containers only) or store weights as safetensors.`;
      case 'pickle-module':
        return `${name} is given a custom pickle module, which replaces the weights-only unpickler: the file is fully unpickled and ${runs}. Drop pickle_module and pass weights_only=True.`;
      case 'dynamic':
        return `${name} sets weights_only from an expression that is not a literal; when it is False the file is fully unpickled and ${runs}. Pass weights_only=True.`;
      case 'hidden':
        return `${name} may get weights_only from **kwargs that cannot be read here; without it the file is unpickled and ${runs}. Pass weights_only=True explicitly.`;
      default: {
        const unset = s.problem === 'reference' ? `${name} is passed as a loader, so weights_only is left unset` : `${name} leaves weights_only unset`;
        return `${unset}: before torch 2.6 it defaults to False, so the file is fully unpickled and ${runs}. Pass weights_only=True; torch ≥ 2.6 defaults to True, so pinning torch>=2.6 also helps.`;
      }
    }
  },
  fixes(s, ctx) {
    if (!s.call || s.problem === 'hidden' || s.problem === 'pickle-module') return [];
    const edits = s.value ? replaceArgumentValue(s.call, s.value, 'True') : addArgument(s.call, ctx.text, 'weights_only=True');
    return edits ? [{ title: 'Pass weights_only=True (loads tensors and plain containers only)', applicability: 'unsafe', edits }] : [];
  },
});

function detection(node: Node, name: string, problem: Problem, call?: Node, value?: Node): State {
  const [severity, confidence] = SEVERITY[problem];
  return { node, name, problem, call, value, severity, confidence };
}

/** The `functools.partial(...)` call when `reference` is its first argument. */
function partialOf(reference: Node, python: PythonFacts): Node | undefined {
  const list = reference.parent;
  const call = list?.type === 'argument_list' ? list.parent : undefined;
  if (call?.type !== 'call' || list?.namedChildren.find((c) => c?.type !== 'comment')?.id !== reference.id) return undefined;
  const callee = python.resolve(call.childForFieldName('function'));
  return callee && isPartial(callee) ? call : undefined;
}
