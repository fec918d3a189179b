import { defineRule, type Detection } from '../../engine/rule';
import { isFullSha, pyConstant, pyFlag } from '../hub';
import { mentions } from '../prefilters';

/** torch.hub entry points that import the repository's hubconf.py (they run its code). */
const HUBCONF = /^torch\.hub\.(load|list|help)$/;
/** Downloads whose integrity check is optional: name → [keyword, position] of the check. */
const DOWNLOADS: Record<string, [string, number]> = {
  'torch.hub.load_state_dict_from_url': ['check_hash', 4],
  'torch.utils.model_zoo.load_url': ['check_hash', 4],
  'torch.hub.download_url_to_file': ['hash_prefix', 2],
};

/**
 * unpinned: a GitHub repo at a branch, tag or the default branch; dynamic: a repo chosen at run
 * time with trust_repo=True; skip-validation: skip_validation=True; no-hash: a download with the
 * hash check off.
 */
type Problem = 'unpinned' | 'dynamic' | 'skip-validation' | 'no-hash';

interface State extends Detection {
  problem: Problem;
  name: string;
  repo?: string;
  ref?: string;
  trustRepo?: boolean;
}

export default defineRule<State>({
  meta: {
    id: 'torch-hub-load',
    group: 'supply-chain',
    title: 'torch.hub runs code or loads weights from an unpinned or unverified source',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [494, 94],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://pytorch.org/docs/stable/hub.html#torch.hub.load',
      'https://pytorch.org/docs/stable/hub.html#torch.hub.load_state_dict_from_url',
      'https://cwe.mitre.org/data/definitions/494.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  requires: mentions('torch'),
  check({ captures: { call, callee } }, ctx) {
    const name = ctx.python.resolve(callee);
    if (!name) return undefined;
    const py = ctx.python;
    const args = py.callArguments(call);

    const download = DOWNLOADS[name];
    if (download) {
      const check = py.argument(call, download[0], download[1]);
      if (check && (download[0] === 'hash_prefix' ? pyConstant(ctx, check)?.value !== null : pyFlag(ctx, check)?.on !== false)) return undefined;
      return { node: call, problem: 'no-hash', name, confidence: 'medium' };
    }

    if (!HUBCONF.test(name)) return undefined;
    const sourceArg = args.keywords.get('source');
    const source = sourceArg ? pyConstant(ctx, sourceArg)?.value : 'github';
    if (source !== 'github') return undefined; // 'local' reads a folder the project has; non-literal: unknown
    const trust = args.keywords.get('trust_repo');
    const trustRepo = !!trust && pyFlag(ctx, trust)?.on === true;
    const skip = args.keywords.get('skip_validation');
    const skipValidation = !!skip && pyFlag(ctx, skip)?.on === true;

    const repoArg = args.keywords.get(name === 'torch.hub.load' ? 'repo_or_dir' : 'github') ?? args.positional[0];
    const repo = repoArg ? pyConstant(ctx, repoArg)?.value : undefined;
    if (typeof repo !== 'string') {
      return trustRepo ? { node: call, problem: 'dynamic', name, trustRepo, confidence: 'medium' } : undefined;
    }
    const [, ref] = repo.split(':');
    if (!isFullSha(ref)) return { node: call, problem: 'unpinned', name, repo, ref, trustRepo, severity: trustRepo ? 'error' : undefined };
    // A pinned commit: skip_validation lets a commit that only exists in a fork be fetched through the upstream name.
    return skipValidation ? { node: call, problem: 'skip-validation', name, repo, ref } : undefined;
  },
  message(s) {
    const name = `\`${s.name}\``;
    switch (s.problem) {
      case 'unpinned': {
        const at = s.ref ? `the branch or tag "${s.ref}"` : 'its default branch';
        const trust = s.trustRepo ? ' trust_repo=True also skips the prompt that asks before running code from a repository not seen before.' : '';
        return `${name} imports and runs hubconf.py from the GitHub repository "${s.repo?.split(':')[0]}" at ${at}: whatever is pushed there next runs in this process.${trust} Pin the repository as "owner/repo:<40-character commit SHA>" after reviewing that commit, or vendor the code and load it with source="local".`;
      }
      case 'dynamic':
        return `${name} runs hubconf.py from a repository chosen at run time, with trust_repo=True skipping torch's prompt for repositories not seen before. Load from a fixed "owner/repo:<commit SHA>" or from a local folder.`;
      case 'skip-validation':
        return `${name} is called with skip_validation=True, so torch does not check that the pinned commit belongs to "${s.repo?.split(':')[0]}": a commit pushed to a fork is reachable through the upstream name. Remove skip_validation.`;
      case 'no-hash': {
        const fix = s.name.endsWith('download_url_to_file')
          ? "Pass hash_prefix with the file's expected SHA-256."
          : 'Name the file with the first digits of its SHA-256 (name-<hash>.pth) and pass check_hash=True, and weights_only=True.';
        return `${name} downloads without checking the file's hash, so a tampered or swapped file is used as is (and a checkpoint is a pickle that can run code when loaded). ${fix}`;
      }
    }
  },
});
