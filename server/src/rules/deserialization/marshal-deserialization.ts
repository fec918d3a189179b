import { defineRule, type Detection } from '../../engine/rule';
import { oneOf, resolveTarget } from '../python-helpers';

const isMarshalLoader = oneOf('marshal.load', 'marshal.loads');

interface State extends Detection {
  name: string;
  origin?: string;
  reference: boolean;
}

export default defineRule<State>({
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
  check(match, ctx) {
    const target = resolveTarget(match, ctx, isMarshalLoader);
    if (!target) return undefined;
    if (!target.call) return { node: target.node, name: target.name, reference: true };
    // marshal.load(file) / marshal.loads(bytes): the data is the first argument either way.
    const data = ctx.python.argument(target.call, target.name === 'marshal.loads' ? 'bytes' : 'file', 0);
    const origin = data ? ctx.python.untrustedOrigin(data) : undefined;
    return { node: target.call, name: target.name, reference: false, origin, severity: origin ? 'error' : undefined };
  },
  message(s) {
    const what = s.reference ? `\`${s.name}\` is passed as a loader of marshal data` : `\`${s.name}\` reads marshal data`;
    const from = s.origin ? `; the data comes from ${s.origin}` : '';
    return `${what}, a format that is not safe against crafted input: it can crash the interpreter or produce code objects that run when executed${from}. Use JSON or another data-only format for anything you did not write yourself.`;
  },
});
