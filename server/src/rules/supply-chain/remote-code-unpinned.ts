import type { Node } from 'web-tree-sitter';
import { defineRule, type Detection } from '../../engine/rule';
import { addArgument, isWithin } from '../python-edits';
import { describeRevision, describeSource, pyHubKeyword, pyHubLoad, pyOffline, pySource, pyTrust, revisionVerdict, type RevisionVerdict, type SourceVerdict } from '../hub';
import { HUB_CODE } from '../prefilters';

/**
 * unpinned: no revision, or one that can move (branch, tag, short SHA); unverifiable: a revision
 * this file cannot read; code-revision: the weights are pinned but code from another repository
 * (`auto_map` entries like `org/repo--module.Class`) would still come from its default branch.
 */
type Problem = 'unpinned' | 'unverifiable' | 'code-revision' | 'code-revision-moving';

interface State extends Detection {
  problem: Problem;
  name: string;
  source: SourceVerdict;
  revision: RevisionVerdict;
  /** For the code_revision fix: the pinned SHA and the expression that holds it in the call. */
  sha?: string;
  shaNode?: Node;
  call: Node;
  fixable: boolean;
}

const SEVERITY = {
  unpinned: ['error', 'high'],
  'code-revision-moving': ['warning', 'medium'],
  'code-revision': ['info', 'low'],
  unverifiable: ['info', 'low'],
} as const;

function shortName(name: string): string {
  const parts = name.split('.');
  return name.endsWith('.from_pretrained') ? parts.slice(-2).join('.') : parts[parts.length - 1];
}

export default defineRule<State>({
  meta: {
    id: 'remote-code-unpinned',
    group: 'supply-chain',
    title: 'Remote code is trusted without pinning the repository to a commit',
    severity: 'error',
    status: 'stable',
    fix: 'safe',
    cwe: [494, 94],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://huggingface.co/docs/transformers/en/models#custom-models',
      'https://huggingface.co/docs/huggingface_hub/en/guides/download#from-specific-version',
      'https://docs.vllm.ai/en/latest/api/vllm/index.html#vllm.LLM',
      'https://cwe.mitre.org/data/definitions/494.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  requires: HUB_CODE,
  check({ captures: { call } }, ctx) {
    const load = pyHubLoad(ctx, call);
    if (!load) return undefined;
    if (!pyTrust(ctx, load)?.flag?.on || pyOffline(ctx, load)) return undefined;
    const source = pySource(ctx, load);
    // Code from a local folder does not change under the project's feet; trust-remote-code still reports it.
    if (source.kind === 'local' || source.kind === 'object') return undefined;
    const revision = source.kind === 'hub' && source.revision !== undefined ? revisionVerdict(ctx, source.node, () => source.revision) : revisionVerdict(ctx, pyHubKeyword(ctx, load, 'revision'));
    const base = { node: call, call, name: shortName(load.name), source, revision, fixable: false };
    const detect = (problem: Problem, extra: Partial<State> = {}): State => {
      const [severity, confidence] = SEVERITY[problem];
      // A repository chosen at run time may be a local folder: less certain than a Hub name.
      return { ...base, ...extra, problem, severity, confidence: problem === 'unpinned' && source.kind === 'unknown' ? 'medium' : confidence };
    };
    if (revision.kind === 'moving') return detect('unpinned');
    if (revision.kind === 'unknown') return detect('unverifiable');
    if (!load.codeRevision) return undefined;
    const codeRevision = revisionVerdict(ctx, pyHubKeyword(ctx, load, 'code_revision'));
    if (codeRevision.kind === 'moving' && codeRevision.node) return detect('code-revision-moving');
    if (codeRevision.kind !== 'moving') return undefined;
    // Adding a keyword next to **kwargs the file cannot read could pass it twice (a TypeError).
    const fixable = !ctx.python.callArguments(call).unresolvedSplat;
    return detect('code-revision', { sha: revision.sha, shaNode: revision.node, fixable });
  },
  message(s) {
    const name = `\`${s.name}\``;
    const from = s.source.kind === 'hub' ? describeSource(s.source) : 'a repository chosen at run time';
    switch (s.problem) {
      case 'unpinned':
        return `${name} trusts remote code from ${from} with ${describeRevision(s.revision)}: the Python it imports is whatever the repository holds when this runs, so a later push or a hijacked account executes code here. Pin revision to a full 40-character commit SHA whose code you have reviewed.`;
      case 'unverifiable':
        return `${name} trusts remote code from ${from}, and its revision (\`${s.revision.node?.text ?? ''}\`) cannot be read here: unless it is a full 40-character commit SHA, the code that runs can change with every push. Pin it to a reviewed commit SHA.`;
      case 'code-revision-moving':
        return `${name} pins revision but sets code_revision to a branch or tag: custom code kept in another repository (auto_map entries like "org/repo--module.Class") is fetched at whatever that name points to. Pin code_revision to a full commit SHA.`;
      case 'code-revision':
        return `${name} pins revision to a commit, but code_revision is unset: when the model's custom code lives in another repository (auto_map entries like "org/repo--module.Class") transformers fetches it from that repository's default branch. Pass code_revision as well.`;
    }
  },
  fixes(s, ctx) {
    if (s.problem !== 'code-revision' || !s.fixable || !s.sha) return [];
    // Reuse the expression that already holds the SHA when it sits in this call (a literal or a constant's name).
    const shaText = s.shaNode && isWithin(s.shaNode, s.call) && (s.shaNode.type === 'string' || s.shaNode.type === 'identifier') ? s.shaNode.text : `"${s.sha}"`;
    const edits = addArgument(s.call, ctx.text, `code_revision=${shaText}`);
    return edits ? [{ title: 'Pin code_revision to the same commit', applicability: 'safe', edits }] : [];
  },
});
