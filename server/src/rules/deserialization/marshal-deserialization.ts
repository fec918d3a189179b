import { defineRule } from '../../engine/rule';
import { detectLoader, loaderSubject, oneOf, originClause, type LoaderDetection } from '../python-helpers';
import { mentions } from '../prefilters';

const isMarshalLoader = oneOf('marshal.load', 'marshal.loads');

export default defineRule<LoaderDetection>({
  meta: {
    id: 'marshal-deserialization',
    group: 'deserialization',
    title: 'Marshal deserialization trusts the data it reads',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [502],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://docs.python.org/3/library/marshal.html',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  requires: mentions('marshal'),
  check(match, ctx) {
    // marshal.load(file) / marshal.loads(bytes): the data is the first argument either way.
    return detectLoader(match, ctx, isMarshalLoader, (name) => [name === 'marshal.loads' ? 'bytes' : 'file', 0]);
  },
  message(s) {
    return `${loaderSubject(s, 'reads marshal data')}, a format that is not safe against crafted input: it can crash the interpreter or produce code objects that run when executed${originClause(s)}. Use JSON or another data-only format for anything you did not write yourself.`;
  },
});
