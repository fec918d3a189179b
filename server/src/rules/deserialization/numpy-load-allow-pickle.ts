import type { Node } from 'web-tree-sitter';
import { defineRule, replaceNode, type Detection } from '../../engine/rule';
import { resolveTarget } from '../python-helpers';
import { mentions } from '../prefilters';

/** Loaders with an allow_pickle switch, and its position when passed positionally. */
const ALLOW_PICKLE_POSITION: Record<string, number> = {
  'numpy.load': 2,
  'numpy.lib.npyio.load': 2,
  'numpy.lib.format.read_array': 1,
};

interface State extends Detection {
  name: string;
  value: Node;
  /** The value is not a literal (a variable, a setting): pickle may or may not be on. */
  dynamic: boolean;
  /** The value is written in the call itself, not inside a `**{...}` dict, so it can be edited in place. */
  inCall: boolean;
}

export default defineRule<State>({
  meta: {
    id: 'numpy-load-allow-pickle',
    group: 'deserialization',
    title: 'numpy.load with allow_pickle enabled unpickles object arrays',
    severity: 'error',
    status: 'stable',
    fix: 'unsafe',
    cwe: [502],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://numpy.org/doc/stable/reference/generated/numpy.load.html',
      'https://nvd.nist.gov/vuln/detail/CVE-2019-6446',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  requires: mentions('numpy'),
  check(match, ctx) {
    const target = resolveTarget(match, ctx, (name) => name in ALLOW_PICKLE_POSITION);
    if (!target?.call) return undefined;
    const value = ctx.python.argument(target.call, 'allow_pickle', ALLOW_PICKLE_POSITION[target.name]);
    if (!value) return undefined;
    const literal = ctx.python.literal(value);
    // False, None (and 0 or "") keep pickle off; anything else may turn it on.
    if (literal && !literal.value) return undefined;
    const args = target.call.childForFieldName('arguments');
    const holder = value.parent?.type === 'keyword_argument' ? value.parent.parent : value.parent;
    return {
      node: target.call,
      name: target.name,
      value,
      dynamic: !literal,
      inCall: !!args && holder?.id === args.id,
      confidence: literal ? undefined : 'medium',
    };
  },
  message(s) {
    const shown = s.value.text.length <= 40 && !s.value.text.includes('\n') ? `\`allow_pickle=${s.value.text}\`` : 'a computed `allow_pickle`';
    const how = s.dynamic ? `${shown}, which may enable pickle` : '`allow_pickle` enabled';
    return `\`${s.name}\` is called with ${how}: object arrays in the file are unpickled, which can run arbitrary code embedded in a crafted .npy/.npz. Keep \`allow_pickle=False\` and store plain numeric arrays (or safetensors).`;
  },
  fixes(s) {
    // A value inside a `**{...}` dict may be shared with other calls, so only in-call values are edited.
    if (!s.inCall) return [];
    return [{ title: 'Set allow_pickle=False', applicability: 'unsafe', edits: [replaceNode(s.value, 'False')] }];
  },
});
