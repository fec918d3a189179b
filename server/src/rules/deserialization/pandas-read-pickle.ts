import { defineRule } from '../../engine/rule';
import { detectLoader, loaderSubject, oneOf, originClause, type LoaderDetection } from '../python-helpers';
import { mentions } from '../prefilters';

const isReadPickle = oneOf('pandas.read_pickle', 'pandas.io.pickle.read_pickle', 'pandas.io.api.read_pickle');

export default defineRule<LoaderDetection>({
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
  requires: mentions('read_pickle'),
  check(match, ctx) {
    return detectLoader(match, ctx, isReadPickle, () => ['filepath_or_buffer', 0]);
  },
  message(s) {
    return `${loaderSubject(s, 'unpickles its input')}, which can run arbitrary code embedded in the file${originClause(s)}. Store data frames as Parquet, Feather or CSV and read those instead.`;
  },
});
