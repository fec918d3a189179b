import { defineRule, type TextDetection } from '../../engine/rule';
import type { Fix, TextEdit } from '../../engine/types';
import { baseName, configDocument, mcpServersOf, replaceInString, substringRange } from '../config-files';
import { launchOf, type Ecosystem, type PackageRef, type Pin } from './lib/launchers';
import { npmVersionFor, pythonVersionFor } from './lib/local-versions';

interface State extends TextDetection {
  server: string;
  runner: string;
  ecosystem: Ecosystem;
  name: string;
  pin: Pin;
  version?: string;
  autoYes: boolean;
  /** An exact version the workspace already uses, and the edit that pins to it. */
  pinTo?: { version: string; file: string; edit: TextEdit };
}

/** What floats: everything but an exact version, a digest, a commit-pinned git reference, a local path or a tarball URL. */
const FLOATING: ReadonlySet<Pin> = new Set(['none', 'latest', 'tag', 'range', 'vcs']);

export default defineRule<State>({
  meta: {
    id: 'mcp-unpinned-package',
    group: 'agent-config',
    title: 'MCP server launched from a registry package without an exact version',
    severity: 'warning',
    status: 'stable',
    fix: 'safe',
    cwe: [494, 829],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
      'https://cwe.mitre.org/data/definitions/494.html',
      'https://cwe.mitre.org/data/definitions/829.html',
      'https://docs.npmjs.com/cli/commands/npx',
      'https://docs.astral.sh/uv/guides/tools/#requesting-specific-versions',
      'https://docs.docker.com/reference/cli/docker/image/pull/#pull-an-image-by-digest-immutable-identifier',
    ],
  },
  languages: ['json', 'toml'],
  fileKinds: ['mcp', 'perm'],
  checkFile(ctx) {
    const doc = configDocument(ctx);
    if (!doc) return undefined;
    const out: State[] = [];
    for (const server of mcpServersOf(doc, ctx.path)) {
      const launch = launchOf(server.argv);
      if (!launch) continue;
      for (const pkg of launch.packages) {
        if (!FLOATING.has(pkg.pin)) continue;
        const range = substringRange(pkg.word.source, pkg.specFrom, pkg.specTo);
        const docker = pkg.ecosystem === 'docker';
        // A versioned image tag can still be re-pushed, but it is not the floating default.
        const softTag = docker && pkg.pin === 'tag';
        // npx without -y asks before installing only on a terminal; MCP clients have none, so it
        // installs anyway — but an explicit -y leaves no doubt. The other runners never ask.
        const asks = (launch.runner === 'npx' || launch.runner === 'npm exec') && !launch.autoYes;
        out.push({
          range,
          server: server.name,
          runner: launch.runner,
          ecosystem: pkg.ecosystem,
          name: pkg.name,
          pin: pkg.pin,
          version: pkg.version,
          autoYes: launch.autoYes,
          severity: softTag ? 'info' : 'warning',
          confidence: softTag ? 'medium' : asks ? 'medium' : 'high',
          pinTo: pinFor(ctx.path, launch.runner, pkg, pkg.option === undefined),
        });
      }
    }
    return out;
  },
  message(s) {
    const what = s.ecosystem === 'docker' ? `image \`${s.name}\`` : `package \`${s.name}\``;
    const how: Record<Pin, string> = {
      none: s.ecosystem === 'docker' ? 'with no tag, so `latest` is pulled' : 'with no version',
      latest: 'at `latest`',
      tag: s.ecosystem === 'docker' ? `at tag \`${s.version}\` without an \`@sha256:\` digest (tags can be re-pushed)` : `at the moving tag \`${s.version}\``,
      range: `with the range \`${s.version}\``,
      vcs: s.version ? `at the git ref \`${s.version}\`, not a commit hash` : 'from a git branch, not a commit hash',
      exact: '',
      digest: '',
      'vcs-pinned': '',
      local: '',
      url: '',
    };
    const yes = s.autoYes ? ' (`-y` installs it without asking)' : '';
    const pin = s.pinTo ? ` The workspace already uses ${s.pinTo.version}.` : '';
    if (s.ecosystem === 'docker' && s.pin === 'tag') {
      return `MCP server "${s.server}" runs ${what} through \`${s.runner}\` ${how[s.pin]}: whoever can push to the repository can change what runs here with the agent's access. Pin the digest.`;
    }
    return `MCP server "${s.server}" runs ${what} through \`${s.runner}\` ${how[s.pin]}${yes}: each start runs whatever the registry serves that day, with the agent's access — a compromised or typo-squatted release becomes code execution on this machine. Pin an exact version${s.ecosystem === 'docker' ? ' or digest' : ''}.${pin}`;
  },
  fixes(s): Fix[] {
    if (!s.pinTo) return [];
    return [{ title: `Pin ${s.name} to ${s.pinTo.version} (as in ${baseName(s.pinTo.file)})`, applicability: 'safe', edits: [s.pinTo.edit] }];
  },
});

/**
 * The edit pinning a package to the version the workspace already has, when one is known locally.
 * uvx takes `pkg@1.2.3` for the tool it runs and PEP 508 `pkg==1.2.3` in `--from`/`--with`;
 * npm runners take `pkg@1.2.3` everywhere. pipx's positional app takes no version: no fix there.
 */
function pinFor(path: string, runner: string, pkg: PackageRef, positional: boolean): State['pinTo'] {
  if (pkg.pin === 'vcs' || pkg.ecosystem === 'docker') return undefined;
  if (pkg.ecosystem === 'npm') {
    if (pkg.spec.startsWith('npm:')) return undefined;
    const local = npmVersionFor(path, pkg.name);
    if (!local) return undefined;
    const edit = replaceInString(pkg.word.source, pkg.specFrom, pkg.specTo, `${pkg.spec.slice(0, pkg.versionAt)}@${local.version}`);
    return edit && { ...local, edit };
  }
  if (runner === 'pipx run' && positional) return undefined;
  const local = pythonVersionFor(path, pkg.name);
  if (!local) return undefined;
  const base = pkg.spec.slice(0, pkg.versionAt).trim();
  const separator = runner === 'uvx' && positional ? '@' : '==';
  const edit = replaceInString(pkg.word.source, pkg.specFrom, pkg.specTo, `${base}${separator}${local.version}`);
  return edit && { ...local, edit };
}
