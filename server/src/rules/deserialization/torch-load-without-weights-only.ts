import { basename } from 'node:path';
import type { Node } from 'web-tree-sitter';
import type { PythonFacts } from '../../engine/facts/python';
import { atLeast, documentFolder, lowestVersionOf, PythonDependencyCache } from '../../engine/manifests/python';
import { defineRule, type Detection, type RuleContext } from '../../engine/rule';
import { oneOf, resolveTarget } from '../python-helpers';
import { addArgument, replaceArgumentValue } from '../python-edits';
import { mentions } from '../prefilters';

const isTorchLoad = oneOf('torch.load', 'torch.serialization.load');
const isPartial = oneOf('functools.partial');

/**
 * false: weights_only=False; omitted: not passed (or None, the default); dynamic: not a literal;
 * hidden: not visible but **kwargs may carry it; pickle-module: a custom unpickler;
 * reference: torch.load passed as a loader, so it runs with the default.
 */
type Problem = 'false' | 'omitted' | 'dynamic' | 'hidden' | 'pickle-module' | 'reference';

/** torch 2.6 made weights_only=True the default of torch.load. */
const WEIGHTS_ONLY_DEFAULT_SINCE = '2.6';

/** The manifest entry that guarantees torch ≥ 2.6 for this file. */
interface TorchPin {
  /** The package as the manifest names it (`torch`, or conda's `pytorch`). */
  name: string;
  version: string;
  file: string;
  line: number;
  specifier: string;
}

interface State extends Detection {
  name: string;
  problem: Problem;
  /** Set when weights_only is left to the default and the project pins a torch that defaults to True. */
  pinned?: TorchPin;
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
  requires: mentions('torch'),
  check(match, ctx) {
    const target = resolveTarget(match, ctx, isTorchLoad);
    if (!target) return undefined;
    // functools.partial(torch.load, ...) fixes the keywords of every later call, so judge those.
    const call = target.call ?? partialOf(target.node, ctx.python);
    if (!call) return relaxed(detection(target.node, target.name, 'reference'), ctx);
    const shift = call === target.call ? 0 : 1;

    const args = ctx.python.callArguments(call);
    const value = args.keywords.get('weights_only');
    const setting = value ? ctx.python.literal(value) : undefined;
    // A truthy literal is safe; torch refuses to load when a pickle_module is forced on top of it.
    if (setting?.value) return undefined;

    const pickleModule = args.keywords.get('pickle_module') ?? args.positional[2 + shift];
    if (pickleModule && ctx.python.literal(pickleModule)?.value !== null) return detection(call, target.name, 'pickle-module', call, value);
    if (!value) return relaxed(detection(call, target.name, args.unresolvedSplat ? 'hidden' : 'omitted', call), ctx);
    if (!setting) return detection(call, target.name, 'dynamic', call, value);
    return relaxed(detection(call, target.name, setting.value === null ? 'omitted' : 'false', call, value), ctx);
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
        if (s.pinned) {
          const where = `${s.pinned.name}${s.pinned.specifier || ` ${s.pinned.version}`} in ${basename(s.pinned.file)}:${s.pinned.line}`;
          const unsetHere = s.problem === 'reference' ? `${name} is passed as a loader, so weights_only is left unset` : `${name} leaves weights_only unset`;
          return `${unsetHere}; the project pins torch ≥ ${WEIGHTS_ONLY_DEFAULT_SINCE} (${where}), where weights_only defaults to True, so only tensors and plain containers are loaded. Pass weights_only=True anyway so the call stays safe if torch is downgraded or TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD is set.`;
        }
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

/**
 * An omitted (or None) weights_only is harmless where torch ≥ 2.6 is what runs: when the project's
 * manifests pin that, the finding drops to info with low confidence and says why. An explicit
 * False, a custom pickle module and hidden or dynamic values are judged as before.
 */
function relaxed(state: State, ctx: RuleContext): State {
  if (state.problem !== 'omitted' && state.problem !== 'reference') return state;
  const pinned = torchPinOf(ctx);
  return pinned ? { ...state, pinned, severity: 'info', confidence: 'low' } : state;
}

const dependencyCache = new PythonDependencyCache();
/** One manifest lookup per analyzed file, however many loads it has. */
const pinsByFile = new WeakMap<RuleContext, TorchPin | null>();

function torchPinOf(ctx: RuleContext): TorchPin | undefined {
  let pin = pinsByFile.get(ctx);
  if (pin === undefined) {
    const folder = documentFolder(ctx.path);
    const lowest = folder ? lowestVersionOf(dependencyCache.get(folder), 'torch') : undefined;
    pin = lowest && atLeast(lowest.version, WEIGHTS_ONLY_DEFAULT_SINCE) ? { name: lowest.dependency.name, version: lowest.version, file: lowest.dependency.file, line: lowest.dependency.line, specifier: lowest.dependency.specifier } : null;
    pinsByFile.set(ctx, pin);
  }
  return pin ?? undefined;
}

/** The `functools.partial(...)` call when `reference` is its first argument. */
function partialOf(reference: Node, python: PythonFacts): Node | undefined {
  const list = reference.parent;
  const call = list?.type === 'argument_list' ? list.parent : undefined;
  if (call?.type !== 'call' || list?.namedChildren.find((c) => c?.type !== 'comment')?.id !== reference.id) return undefined;
  const callee = python.resolve(call.childForFieldName('function'));
  return callee && isPartial(callee) ? call : undefined;
}
