import { defineRule, type Detection } from '../../engine/rule';
import { oneOf, resolveTarget } from '../python-helpers';

const PICKLE_MODULES = ['pickle', 'cPickle', '_pickle'];
const isPickleLoader = oneOf(
  ...PICKLE_MODULES.flatMap((m) => [`${m}.load`, `${m}.loads`, `${m}.Unpickler`]),
  'cloudpickle.load',
  'cloudpickle.loads',
  'jsonpickle.decode',
  'jsonpickle.unpickler.decode',
  'shelve.open',
  'shelve.Shelf',
  'shelve.DbfilenameShelf',
);
const isLoader = (name: string) => isPickleLoader(name) || /^dill\.\w*load\w*$/.test(name);
const isDumper = (name: string) => /^(pickle|cPickle|_pickle|dill|cloudpickle)\.dumps$/.test(name) || name === 'jsonpickle.encode';

interface State extends Detection {
  name: string;
  origin?: string;
  reference: boolean;
}

export default defineRule<State>({
  meta: {
    id: 'pickle-deserialization',
    group: 'deserialization',
    title: 'Pickle-family deserialization runs code from the data',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [502],
    owasp: ['LLM03'],
    confidence: 'medium',
    references: [
      'https://docs.python.org/3/library/pickle.html',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  check(match, ctx) {
    const target = resolveTarget(match, ctx, isLoader);
    if (!target) return undefined;
    if (!target.call) return { node: target.node, name: target.name, reference: true };
    const data = ctx.python.argument(target.call, target.name.startsWith('shelve') ? 'filename' : target.name.endsWith('loads') ? 'data' : 'file', 0);
    // Round-trip of bytes this same function just produced (`loads(dumps(x))`, a deep copy) is safe.
    if (data) {
      const source = ctx.python.definition(data);
      const sameFunction = ctx.python.enclosingFunction(source).id === ctx.python.enclosingFunction(target.call).id;
      if (sameFunction && ctx.python.isCallTo(source, isDumper)) return undefined;
    }
    const origin = data ? ctx.python.untrustedOrigin(data) : undefined;
    return {
      node: target.call,
      name: target.name,
      reference: false,
      origin,
      severity: origin ? 'error' : undefined,
      confidence: origin ? 'high' : undefined,
    };
  },
  message(s) {
    const what = s.reference ? `\`${s.name}\` is passed as a loader` : `\`${s.name}\` deserializes with pickle`;
    const from = s.origin ? `; the data comes from ${s.origin}` : '';
    return `${what}, which can run arbitrary code embedded in the data${from}. Load only data you produced, or use JSON, safetensors or a restricted Unpickler.`;
  },
});
