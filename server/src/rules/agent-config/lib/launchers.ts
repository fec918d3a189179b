// What an MCP server's command line installs and runs: `npx -y pkg`, `uvx pkg==1.0`,
// `docker run … image:tag`, also behind Windows `cmd /c`, `bash -c "…"`, `sudo` or `env A=B`.
// Each runner's own options are skipped by its documented syntax, so the package is the word
// the runner will really fetch, with the place of its version for messages and fixes.
import { programName, splitWords, type Word } from '../../config-files';

export type Ecosystem = 'npm' | 'pypi' | 'docker';

/**
 * exact: a full version (`1.2.3`, `==1.2.3`). digest: a docker image pinned by `@sha256:`.
 * none: no version at all. latest: the `latest` tag. tag: another dist-tag or docker tag.
 * range: a semver or PEP 440 range. vcs: a git reference without a commit hash; vcs-pinned: with one.
 * local: a path or local file, not fetched.
 */
export type Pin = 'exact' | 'digest' | 'none' | 'latest' | 'tag' | 'range' | 'vcs' | 'vcs-pinned' | 'local' | 'url';

export interface PackageRef {
  ecosystem: Ecosystem;
  word: Word;
  /** Where the spec sits in word.source.value (after `--package=`, inside the word). */
  specFrom: number;
  specTo: number;
  spec: string;
  /** The package as the registry names it (npm name, PyPI name, image repository). */
  name: string;
  version?: string;
  /** Index in `spec` where the version part (with its `@`, `==` or `:`) starts; spec.length when absent. */
  versionAt: number;
  pin: Pin;
  /** The option that named it (`-p`, `--from`, `--with`); undefined for the positional package. */
  option?: string;
}

export interface Launch {
  /** `npx`, `pnpm dlx`, `uvx`, `docker run`… */
  runner: string;
  ecosystem: Ecosystem;
  /** The words of the command line as run, after unwrapping `cmd /c`, `bash -c`, `sudo`. */
  argv: Word[];
  /** The runner's program word. */
  program: Word;
  /** The package the server comes from, then packages installed beside it (`-p`, `--with`). */
  packages: PackageRef[];
  /** `-y`/`--yes`: the runner installs without asking. */
  autoYes: boolean;
  /** The runner's options (docker run options) before the package. */
  options: Word[];
  /** What follows the package: the server's own arguments, or the container's command. */
  rest: Word[];
}

const SHELLS = /^(bash|sh|zsh|dash|ksh|fish)$/;

/** Whether a word can be edited in place: it was written without shell quotes or escapes. */
export function isPlainWord(w: Word): boolean {
  return w.source.value.slice(w.from, w.to) === w.value;
}

/**
 * The command line a server really runs: `cmd /c X …` → `X …`, `bash -c "X …"` → the words of the
 * script's last command (after `&&`/`;`, without `exec`), `sudo`/`env A=B`/`exec` dropped.
 */
export function unwrapCommand(argv: Word[]): Word[] {
  let words = argv;
  for (let guard = 0; guard < 8 && words.length > 0; guard++) {
    const program = programName(words[0].value);
    if (program === 'cmd' && words.length > 2 && /^\/[ck]$/i.test(words[1].value)) {
      words = words[2].value.includes(' ') && words.length === 3 ? splitWords(words[2].source, words[2].from, words[2].to) : words.slice(2);
      continue;
    }
    if ((SHELLS.test(program) || program === 'powershell' || program === 'pwsh') && words.length > 1) {
      // POSIX shells take the script after -c (also bundled: -lc, -ec); PowerShell after -Command.
      const posix = SHELLS.test(program);
      const flag = words.findIndex((w, i) => i > 0 && (posix ? /^-[a-z]*c[a-z]*$/.test(w.value) : /^-(command|c)$/i.test(w.value)));
      if (flag < 0 || flag + 1 >= words.length) return words;
      const script = words[flag + 1];
      const inner = isPlainWord(script) || script.source.value.slice(script.from, script.to).length === script.value.length + 2 ? innerWords(script) : undefined;
      if (!inner) return words;
      // The last command of `a && b; exec c` is the one that becomes the server.
      const segments = splitSegments(inner);
      words = segments[segments.length - 1] ?? [];
      continue;
    }
    if (program === 'sudo' || program === 'exec' || program === 'nohup' || program === 'command') {
      let i = 1;
      while (i < words.length && words[i].value.startsWith('-')) i++;
      words = words.slice(i);
      continue;
    }
    if (program === 'env') {
      let i = 1;
      while (i < words.length && (words[i].value.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i].value))) i++;
      words = words.slice(i);
      continue;
    }
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0].value)) {
      words = words.slice(1);
      continue;
    }
    return words;
  }
  return words;
}

/** The words of a quoted or plain script word, split inside its own source string. */
function innerWords(script: Word): Word[] {
  const raw = script.source.value.slice(script.from, script.to);
  const quoted = raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw[raw.length - 1] === raw[0];
  return quoted ? splitWords(script.source, script.from + 1, script.to - 1) : splitWords(script.source, script.from, script.to);
}

/** Simple commands separated by `;`, `&&`, `||`, `&` (pipes stay inside a segment). */
export function splitSegments(words: Word[]): Word[][] {
  const out: Word[][] = [[]];
  for (const w of words) {
    if ([';', '&&', '||', '&'].includes(w.value) && w.to - w.from === w.value.length) out.push([]);
    else out[out.length - 1].push(w);
  }
  return out.filter((s) => s.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Version specs

const SEMVER_EXACT = /^=?v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const SEMVER_RANGE = /^(?:[~^<>=*]|\d+(?:\.\d+)?(?:\.[xX*])?$|\d+\.[xX*]|[xX*]$|.*\s-\s|.*\|\|)/;

function isLocalPath(spec: string): boolean {
  return /^(\.{1,2}[\\/]|[\\/]|~[\\/]|[A-Za-z]:[\\/]|file:)/.test(spec) || spec === '.' || spec === '..';
}

/** `@scope/name@^1`, `name@latest`, `npm:alias@1.0.0`, `github:user/repo#sha`, a path… */
export function parseNpmSpec(spec: string): Pick<PackageRef, 'name' | 'version' | 'versionAt' | 'pin'> {
  if (isLocalPath(spec) || /\.tgz$/.test(spec) && !/^https?:/.test(spec)) return { name: spec, versionAt: spec.length, pin: 'local' };
  if (/^https?:\/\//.test(spec)) return { name: spec, versionAt: spec.length, pin: 'url' };
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|gist:)/.test(spec) || /^[\w.-]+\/[\w.-]+(#.*)?$/.test(spec)) {
    const hash = /#(.+)$/.exec(spec)?.[1];
    return { name: spec.replace(/#.*$/, ''), version: hash, versionAt: hash ? spec.indexOf('#') : spec.length, pin: hash && /^[0-9a-f]{40}$/i.test(hash) ? 'vcs-pinned' : 'vcs' };
  }
  const body = spec.startsWith('npm:') ? spec.slice(4) : spec;
  const offset = spec.length - body.length;
  const at = body.indexOf('@', body.startsWith('@') ? 1 : 0);
  if (at < 0) return { name: body, versionAt: spec.length, pin: 'none' };
  const name = body.slice(0, at);
  const version = body.slice(at + 1);
  const pin: Pin = version === '' ? 'none' : version === 'latest' ? 'latest' : SEMVER_EXACT.test(version) ? 'exact' : SEMVER_RANGE.test(version) ? 'range' : 'tag';
  return { name, version, versionAt: offset + at, pin };
}

/** `pkg`, `pkg==1.2.3`, `pkg@1.2.3` (uvx), `pkg[extra]>=1`, `git+https://…@sha`, a path or wheel. */
export function parsePythonSpec(spec: string): Pick<PackageRef, 'name' | 'version' | 'versionAt' | 'pin'> {
  if (isLocalPath(spec) || /\.(whl|tar\.gz|zip)$/.test(spec) && !/^https?:/.test(spec)) return { name: spec, versionAt: spec.length, pin: 'local' };
  const vcs = /^(?:([A-Za-z0-9][\w.-]*)\s*@\s*)?(git\+[^@#\s]+(?:@([^#\s]+))?)/.exec(spec);
  if (vcs) {
    const ref = vcs[3];
    return { name: vcs[1] ?? vcs[2], version: ref, versionAt: ref ? spec.lastIndexOf('@') : spec.length, pin: ref && /^[0-9a-f]{40}$/i.test(ref) ? 'vcs-pinned' : 'vcs' };
  }
  if (/^https?:\/\//.test(spec)) return { name: spec, versionAt: spec.length, pin: 'url' };
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$/.exec(spec);
  if (!m) return { name: spec, versionAt: spec.length, pin: 'none' };
  const name = m[1];
  const rest = m[3].trim();
  const versionAt = m[1].length + (m[2]?.length ?? 0);
  if (!rest) return { name, versionAt: spec.length, pin: 'none' };
  if (rest.startsWith('@')) {
    const v = rest.slice(1).trim();
    return { name, version: v, versionAt, pin: v === 'latest' ? 'latest' : /^\d[\w.+!-]*$/.test(v) ? 'exact' : 'tag' };
  }
  if (/^===?\s*[\w.+!-]+$/.test(rest) && !rest.includes('*')) return { name, version: rest.replace(/^===?\s*/, ''), versionAt, pin: 'exact' };
  return { name, version: rest, versionAt, pin: 'range' };
}

/** `ghcr.io/org/img:1.2@sha256:…`, `mcp/fetch`, `localhost:5000/x:dev`. */
export function parseImage(spec: string): Pick<PackageRef, 'name' | 'version' | 'versionAt' | 'pin'> {
  const digestAt = spec.indexOf('@');
  const withoutDigest = digestAt >= 0 ? spec.slice(0, digestAt) : spec;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const tagAt = colon > slash ? colon : -1;
  const name = tagAt >= 0 ? withoutDigest.slice(0, tagAt) : withoutDigest;
  const versionAt = tagAt >= 0 ? tagAt : digestAt >= 0 ? digestAt : spec.length;
  if (digestAt >= 0 && /^@sha256:[0-9a-f]{64}$/i.test(spec.slice(digestAt))) return { name, version: spec.slice(versionAt + 1), versionAt, pin: 'digest' };
  const tag = tagAt >= 0 ? withoutDigest.slice(tagAt + 1) : undefined;
  return { name, version: tag, versionAt, pin: !tag ? 'none' : tag === 'latest' ? 'latest' : 'tag' };
}

function packageRef(ecosystem: Ecosystem, word: Word, spec?: { from: number; to: number }): PackageRef {
  const from = spec?.from ?? word.from;
  const to = spec?.to ?? word.to;
  const text = spec ? word.source.value.slice(from, to) : word.value;
  const parsed = ecosystem === 'npm' ? parseNpmSpec(text) : ecosystem === 'pypi' ? parsePythonSpec(text) : parseImage(text);
  return { ecosystem, word, specFrom: from, specTo: to, spec: text, ...parsed };
}

/** `--package=x` → the spec's place inside the word (when written plainly). */
function afterEquals(word: Word): { from: number; to: number } | undefined {
  const eq = word.value.indexOf('=');
  if (eq < 0 || !isPlainWord(word)) return undefined;
  return { from: word.from + eq + 1, to: word.to };
}

// ---------------------------------------------------------------------------------------------
// Runners

interface OptionSyntax {
  /** Options that take a value as the next word (or after `=`). */
  withValue: RegExp;
  /** Options whose value names a package to install. */
  packageOption?: RegExp;
  yes?: RegExp;
}

const NPX: OptionSyntax = { withValue: /^(-p|--package|-c|--call|--registry|--cache|--userconfig|--prefix|-w|--workspace|--node-options|--loglevel)$/, packageOption: /^(-p|--package)$/, yes: /^(-y|--yes)$/ };
const BUNX: OptionSyntax = { withValue: /^(-p|--package|--registry|--cwd|--config|-c)$/, packageOption: /^(-p|--package)$/ };
const PNPM_DLX: OptionSyntax = { withValue: /^(--package|-c|--shell-mode|--allow-build|--registry|--dir|-C)$/, packageOption: /^--package$/ };
const YARN_DLX: OptionSyntax = { withValue: /^(-p|--package)$/, packageOption: /^(-p|--package)$/ };
const UVX: OptionSyntax = {
  withValue: /^(--from|--with|--with-editable|--with-requirements|-w|-p|--python|--index|--index-url|--extra-index-url|-i|--default-index|--find-links|-f|--constraints|-c|--overrides|--build-constraints|-b|--directory|--project|--config-file|--cache-dir|--python-preference|--resolution|--prerelease|--exclude-newer|--refresh-package|--reinstall-package|--upgrade-package|-P|--env-file|--color|--allow-insecure-host|--keyring-provider|--index-strategy|--config-setting|-C|--link-mode|--no-binary-package|--no-build-package)$/,
  packageOption: /^(--from|--with|-w)$/,
};
const PIPX_RUN: OptionSyntax = { withValue: /^(--spec|--python|--pip-args|--index-url|-i|--backend)$/, packageOption: /^--spec$/ };
const DOCKER_RUN: OptionSyntax = {
  withValue:
    /^(-a|--attach|--add-host|--annotation|--blkio-weight|--blkio-weight-device|--cap-add|--cap-drop|--cgroup-parent|--cgroupns|--cidfile|--cpu-period|--cpu-quota|--cpu-rt-period|--cpu-rt-runtime|-c|--cpu-shares|--cpus|--cpuset-cpus|--cpuset-mems|--detach-keys|--device|--device-cgroup-rule|--device-read-bps|--device-read-iops|--device-write-bps|--device-write-iops|--dns|--dns-option|--dns-search|--domainname|--entrypoint|-e|--env|--env-file|--expose|--gpus|--group-add|--health-cmd|--health-interval|--health-retries|--health-start-period|--health-start-interval|--health-timeout|-h|--hostname|--ip|--ip6|--ipc|--isolation|--kernel-memory|-l|--label|--label-file|--link|--link-local-ip|--log-driver|--log-opt|--mac-address|-m|--memory|--memory-reservation|--memory-swap|--memory-swappiness|--mount|--name|--network|--net|--network-alias|--net-alias|--oom-score-adj|--pid|--pids-limit|--platform|-p|--publish|--pull|--restart|--runtime|--security-opt|--shm-size|--stop-signal|--stop-timeout|--storage-opt|--sysctl|--tmpfs|--ulimit|-u|--user|--userns|--uts|-v|--volume|--volume-driver|--volumes-from|-w|--workdir|--secret|--userns-remap)$/,
};

/** Walks a runner's options; returns the index of the first positional word. */
function scanOptions(words: Word[], start: number, syntax: OptionSyntax, onPackage: (option: string, w: Word, spec?: { from: number; to: number }) => void): { index: number; yes: boolean; options: Word[] } {
  let yes = false;
  const options: Word[] = [];
  let i = start;
  for (; i < words.length; i++) {
    const w = words[i];
    if (w.value === '--') {
      i++;
      break;
    }
    if (!w.value.startsWith('-') || w.value === '-') break;
    options.push(w);
    if (syntax.yes?.test(w.value)) yes = true;
    const [flag] = w.value.split('=', 1);
    if (w.value.includes('=')) {
      if (syntax.packageOption?.test(flag)) onPackage(flag, w, afterEquals(w));
      continue;
    }
    if (syntax.withValue.test(w.value) && i + 1 < words.length) {
      i++;
      options.push(words[i]);
      if (syntax.packageOption?.test(w.value)) onPackage(w.value, words[i]);
    }
  }
  return { index: i, yes, options };
}

/** The package an MCP server's command line fetches, or undefined for a plain local program. */
export function launchOf(argvIn: Word[]): Launch | undefined {
  const argv = unwrapCommand(argvIn);
  if (argv.length === 0) return undefined;
  const program = programName(argv[0].value);
  const sub = argv[1]?.value;
  let runner: string;
  let ecosystem: Ecosystem;
  let syntax: OptionSyntax;
  let start: number;
  if (program === 'npx') [runner, ecosystem, syntax, start] = ['npx', 'npm', NPX, 1];
  else if (program === 'npm' && (sub === 'exec' || sub === 'x')) [runner, ecosystem, syntax, start] = ['npm exec', 'npm', NPX, 2];
  else if (program === 'bunx' || (program === 'bun' && sub === 'x')) [runner, ecosystem, syntax, start] = ['bunx', 'npm', BUNX, program === 'bun' ? 2 : 1];
  else if (program === 'pnpx' || (program === 'pnpm' && sub === 'dlx')) [runner, ecosystem, syntax, start] = ['pnpm dlx', 'npm', PNPM_DLX, program === 'pnpm' ? 2 : 1];
  else if (program === 'yarn' && sub === 'dlx') [runner, ecosystem, syntax, start] = ['yarn dlx', 'npm', YARN_DLX, 2];
  else if (program === 'uvx' || (program === 'uv' && sub === 'tool' && argv[2]?.value === 'run')) [runner, ecosystem, syntax, start] = ['uvx', 'pypi', UVX, program === 'uv' ? 3 : 1];
  else if (program === 'pipx' && sub === 'run') [runner, ecosystem, syntax, start] = ['pipx run', 'pypi', PIPX_RUN, 2];
  else if ((program === 'docker' || program === 'podman') && (sub === 'run' || (sub === 'container' && argv[2]?.value === 'run'))) {
    [runner, ecosystem, syntax, start] = [`${program} run`, 'docker', DOCKER_RUN, sub === 'run' ? 2 : 3];
  } else return undefined;

  const explicit: PackageRef[] = [];
  // With `-p`/`--package`/`--from`/`--spec`, the positional word is a command of that package, not
  // a package; uvx `--with` only adds packages beside the positional one.
  let positionalIsCommand = false;
  const scanned = scanOptions(argv, start, syntax, (option, w, spec) => {
    explicit.push({ ...packageRef(ecosystem, w, spec), option });
    if (runner !== 'uvx' || (option !== '--with' && option !== '-w')) positionalIsCommand = true;
  });
  const positional = argv[scanned.index];
  const packages: PackageRef[] = [];
  if (positional && !positionalIsCommand) packages.push(packageRef(ecosystem, positional));
  packages.push(...explicit);
  return {
    runner,
    ecosystem,
    argv,
    program: argv[0],
    packages,
    autoYes: scanned.yes,
    options: scanned.options,
    rest: positional ? argv.slice(scanned.index + 1) : [],
  };
}
