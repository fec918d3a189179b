import { defineRule } from '../../engine/rule';
import { detectLoader, loaderSubject, oneOf, originClause, type LoaderDetection } from '../python-helpers';
import { mentions } from '../prefilters';

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

export default defineRule<LoaderDetection>({
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
  requires: mentions('pickle', 'cPickle', '_pickle', 'dill', 'cloudpickle', 'jsonpickle', 'shelve'),
  check(match, ctx) {
    const found = detectLoader(match, ctx, isLoader, (name) => [name.startsWith('shelve') ? 'filename' : name.endsWith('loads') ? 'data' : 'file', 0]);
    // Round-trip of bytes this same function just produced (`loads(dumps(x))`, a deep copy) is safe.
    if (found?.data) {
      const source = ctx.python.definition(found.data);
      const sameFunction = ctx.python.enclosingFunction(source).id === ctx.python.enclosingFunction(found.node).id;
      if (sameFunction && ctx.python.isCallTo(source, isDumper)) return undefined;
    }
    return found;
  },
  message(s) {
    return `${loaderSubject(s, 'deserializes with pickle')}, which can run arbitrary code embedded in the data${originClause(s)}. Load only data you produced, or use JSON, safetensors or a restricted Unpickler.`;
  },
});
