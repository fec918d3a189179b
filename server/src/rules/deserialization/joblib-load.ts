import { defineRule } from '../../engine/rule';
import { detectLoader, loaderSubject, oneOf, originClause, type LoaderDetection } from '../python-helpers';
import { mentions } from '../prefilters';

const isJoblibLoader = oneOf('joblib.load', 'joblib.numpy_pickle.load', 'sklearn.externals.joblib.load');
const isSkopsLoader = oneOf('skops.io.load', 'skops.io.loads');
const isLoader = (name: string) => isJoblibLoader(name) || isSkopsLoader(name);
const DATA_PARAMETER: Record<string, string> = { 'skops.io.load': 'file', 'skops.io.loads': 'data' };

interface State extends LoaderDetection {
  skops: boolean;
}

export default defineRule<State>({
  meta: {
    id: 'joblib-load',
    group: 'deserialization',
    title: 'Joblib model loading unpickles the file',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [502],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://joblib.readthedocs.io/en/stable/persistence.html',
      'https://skops.readthedocs.io/en/stable/persistence.html',
      'https://scikit-learn.org/stable/model_persistence.html',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  requires: mentions('joblib', 'skops'),
  check(match, ctx) {
    const found = detectLoader(match, ctx, isLoader, (name) => [DATA_PARAMETER[name] ?? 'filename', 0]);
    if (!found) return undefined;
    const skops = isSkopsLoader(found.name);
    if (skops) {
      // skops is only unsafe with trusted=True, which a bare reference cannot carry; an explicit list is the safe use.
      const trusted = found.reference ? undefined : ctx.python.argument(found.node, 'trusted', 1);
      if (!trusted || ctx.python.literal(trusted)?.value !== true) return undefined;
    }
    return { ...found, skops };
  },
  message(s) {
    const from = originClause(s, 'file');
    if (s.skops) {
      return `\`${s.name}(..., trusted=True)\` trusts every type in the file, which makes it as unsafe as pickle${from}. Review \`skops.io.get_untrusted_types()\` and pass that explicit list as \`trusted\`.`;
    }
    return `${loaderSubject(s, 'unpickles the file')}, which can run arbitrary code embedded in a model or cache file${from}. Load only files you produced, or save models with skops and load them with an explicit list of trusted types.`;
  },
});
