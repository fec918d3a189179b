import { defineRule, type Detection } from '../../engine/rule';
import { oneOf, resolveTarget } from '../python-helpers';

const isReadPickle = oneOf('pandas.read_pickle', 'pandas.io.pickle.read_pickle', 'pandas.io.api.read_pickle');

interface State extends Detection {
  name: string;
  origin?: string;
  reference: boolean;
}

export default defineRule<State>({
  meta: {
    id: 'pandas-read-pickle',
    group: 'deserialization',
    title: 'pandas.read_pickle unpickles the file',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [502],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://pandas.pydata.org/docs/reference/api/pandas.read_pickle.html',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  check(match, ctx) {
    const target = resolveTarget(match, ctx, isReadPickle);
    if (!target) return undefined;
    if (!target.call) return { node: target.node, name: target.name, reference: true };
    const source = ctx.python.argument(target.call, 'filepath_or_buffer', 0);
    const origin = source ? ctx.python.untrustedOrigin(source) : undefined;
    return { node: target.call, name: target.name, reference: false, origin, severity: origin ? 'error' : undefined };
  },
  message(s) {
    const what = s.reference ? `\`${s.name}\` is passed as a loader` : `\`${s.name}\` unpickles its input`;
    const from = s.origin ? `; the data comes from ${s.origin}` : '';
    return `${what}, which can run arbitrary code embedded in the file${from}. Store data frames as Parquet, Feather or CSV and read those instead.`;
  },
});
