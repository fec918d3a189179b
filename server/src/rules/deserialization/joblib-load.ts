import { defineRule, type Detection } from '../../engine/rule';
import { oneOf, resolveTarget } from '../python-helpers';

const isJoblibLoader = oneOf('joblib.load', 'joblib.numpy_pickle.load', 'sklearn.externals.joblib.load');
const isSkopsLoader = oneOf('skops.io.load', 'skops.io.loads');
const isLoader = (name: string) => isJoblibLoader(name) || isSkopsLoader(name);
const DATA_PARAMETER: Record<string, string> = { 'skops.io.load': 'file', 'skops.io.loads': 'data' };

interface State extends Detection {
  name: string;
  origin?: string;
  reference: boolean;
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
  check(match, ctx) {
    const target = resolveTarget(match, ctx, isLoader);
    if (!target) return undefined;
    const skops = isSkopsLoader(target.name);
    if (!target.call) {
      // skops is only unsafe with trusted=True, which a bare reference cannot carry.
      return skops ? undefined : { node: target.node, name: target.name, reference: true, skops };
    }
    if (skops) {
      // skops refuses unknown types unless told to trust everything; an explicit list is the safe use.
      const trusted = ctx.python.argument(target.call, 'trusted', 1);
      if (!trusted || ctx.python.literal(trusted)?.value !== true) return undefined;
    }
    const data = ctx.python.argument(target.call, DATA_PARAMETER[target.name] ?? 'filename', 0);
    const origin = data ? ctx.python.untrustedOrigin(data) : undefined;
    return { node: target.call, name: target.name, reference: false, skops, origin, severity: origin ? 'error' : undefined };
  },
  message(s) {
    const from = s.origin ? `; the file comes from ${s.origin}` : '';
    if (s.skops) {
      return `\`${s.name}(..., trusted=True)\` trusts every type in the file, which makes it as unsafe as pickle${from}. Review \`skops.io.get_untrusted_types()\` and pass that explicit list as \`trusted\`.`;
    }
    const what = s.reference ? `\`${s.name}\` is passed as a loader` : `\`${s.name}\` unpickles the file`;
    return `${what}, which can run arbitrary code embedded in a model or cache file${from}. Load only files you produced, or save models with skops and load them with an explicit list of trusted types.`;
  },
});
