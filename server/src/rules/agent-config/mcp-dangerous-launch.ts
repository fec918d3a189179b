import { defineRule, type TextDetection } from '../../engine/rule';
import type { TextRange } from '../../engine/types';
import { configDocument, mcpServersOf, programName, wordRange, type McpServer, type Word } from '../config-files';
import { launchOf, unwrapCommand } from './lib/launchers';
import { broadPath } from './lib/paths';
import { downloadAndExecute, rangeOfSpan } from './lib/shell';

type Kind = 'download-exec' | 'shell-wrapper' | 'root-filesystem' | 'privileged' | 'host-namespace' | 'capability' | 'unconfined' | 'docker-socket' | 'host-mount' | 'sudo';

interface State extends TextDetection {
  server: string;
  kind: Kind;
  /** The option, path or script as written, for the message. */
  detail: string;
  /** For paths: how much of the machine they open. */
  scope?: string;
}

const SEVERITY: Record<Kind, ['error' | 'warning', 'high' | 'medium']> = {
  'download-exec': ['error', 'high'],
  privileged: ['error', 'high'],
  'docker-socket': ['error', 'high'],
  capability: ['error', 'high'],
  unconfined: ['warning', 'high'],
  'host-namespace': ['warning', 'high'],
  'host-mount': ['warning', 'high'],
  'root-filesystem': ['warning', 'high'],
  'shell-wrapper': ['warning', 'medium'],
  sudo: ['warning', 'high'],
};

const SHELLS = /^(bash|sh|zsh|dash|ksh|fish)$/;
const FILESYSTEM_SERVERS = new Set(['@modelcontextprotocol/server-filesystem', 'mcp-server-filesystem', '@modelcontextprotocol/server-filesystem-extended', 'mcp/filesystem', 'docker.io/mcp/filesystem', '@cyanheads/filesystem-mcp-server', 'fast-filesystem-mcp']);
const DANGEROUS_CAPABILITIES = /^(all|sys_admin|sys_module|sys_ptrace|sys_rawio|dac_read_search|dac_override|net_admin|bpf|sys_boot)$/i;

export default defineRule<State>({
  meta: {
    id: 'mcp-dangerous-launch',
    group: 'agent-config',
    title: 'MCP server launched through a shell, as root, or with host-wide access',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [78, 250],
    owasp: ['LLM06'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
      'https://cwe.mitre.org/data/definitions/78.html',
      'https://cwe.mitre.org/data/definitions/250.html',
      'https://modelcontextprotocol.io/specification/2025-06-18/basic/security_best_practices',
      'https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities',
      'https://docs.docker.com/engine/security/protect-access/',
    ],
  },
  languages: ['json', 'toml'],
  fileKinds: ['mcp', 'perm'],
  checkFile(ctx) {
    const doc = configDocument(ctx);
    if (!doc) return undefined;
    const out: State[] = [];
    for (const server of mcpServersOf(doc, ctx.path)) {
      shellWrappers(out, server);
      const launch = launchOf(server.argv);
      if (launch?.ecosystem === 'docker') dockerOptions(out, server, launch.options);
      // The directories a filesystem server may touch are the positional words after the package
      // (inside a container they are container paths: there the host mounts are what counts).
      const pkg = launch?.packages[0];
      const local = unwrapCommand(server.argv);
      const isFilesystem = pkg ? pkg.ecosystem !== 'docker' && FILESYSTEM_SERVERS.has(pkg.name) : /(^|[\\/])(mcp-server-filesystem|server-filesystem)([\\/]dist[\\/]index)?(\.js)?$/.test(local[1]?.value ?? '');
      if (isFilesystem) {
        for (const word of launch ? launch.rest : local.slice(2)) {
          if (word.value.startsWith('-')) continue;
          const scope = broadPath(word.value);
          if (scope) out.push({ ...detection(server, 'root-filesystem', wordRange(word), word.value), scope });
        }
      }
    }
    return out;
  },
  message(s) {
    const who = `MCP server "${s.server}"`;
    switch (s.kind) {
      case 'download-exec':
        return `${who} downloads code and hands it to an interpreter (\`${s.detail}\`): whatever the URL serves at launch runs with the agent's access, unreviewed and unpinned. Install the server as a package with a pinned version instead.`;
      case 'shell-wrapper':
        return `${who} is started through \`${s.detail}\`: the client runs a shell script rather than one program, so what starts depends on the shell's environment, expansions and every command in the script. Point \`command\` at the server's program and pass its arguments in \`args\`.`;
      case 'root-filesystem':
        return `${who} gives the filesystem server \`${s.detail}\` (${s.scope}): every file below it — SSH keys, cloud credentials, browser profiles, other projects — can be read and overwritten by the agent, and by any prompt injection that reaches it. Allow only the project's own folders.`;
      case 'privileged':
        return `${who} runs its container with \`--privileged\`: the container gets every capability and all host devices, so code in it (or a tool call steered by prompt injection) can take over the host. Drop the flag.`;
      case 'docker-socket':
        return `${who} mounts the Docker socket (\`${s.detail}\`): whoever controls the container can start privileged containers and so control the host. Do not mount the socket into MCP servers.`;
      case 'capability':
        return `${who} adds \`${s.detail}\` to its container: that capability breaks the container's isolation from the host. Remove it.`;
      case 'unconfined':
        return `${who} disables its container's security profile (\`${s.detail}\`), removing the syscall and access filtering that contains a compromised server. Remove the option.`;
      case 'host-namespace':
        return `${who} shares the host's ${s.detail} with its container: it sees host ${s.detail.includes('network') ? 'network services bound to localhost (databases, admin consoles, other MCP servers)' : 'processes'} as if it ran outside Docker. Use the default isolated namespace.`;
      case 'host-mount':
        return `${who} mounts \`${s.detail}\` (${s.scope}) from the host into its container: the server — and any prompt injection that drives it — can read and change what is there. Mount only the folders the server needs, read-only where possible.`;
      case 'sudo':
        return `${who} is started with \`sudo\`: the server and every tool call it runs have root on this machine. Run it as the user.`;
    }
  },
});

function detection(server: McpServer, kind: Kind, range: TextRange, detail: string): State {
  const [severity, confidence] = SEVERITY[kind];
  return { range, server: server.name, kind, detail, severity, confidence };
}

function span(a: Word, b: Word): TextRange {
  return { start: wordRange(a).start, end: wordRange(b).end };
}

/** `bash -c "…"`, `powershell -Command …`, `cmd /c a && b`, `sudo …`, and download-and-execute anywhere. */
function shellWrappers(out: State[], server: McpServer): void {
  const argv = server.argv;
  if (argv.length === 0) return;
  let words = argv;
  for (let guard = 0; guard < 4 && words.length > 0; guard++) {
    const program = programName(words[0].value);
    if (program === 'sudo' || program === 'doas') {
      out.push(detection(server, 'sudo', wordRange(words[0]), program));
      let i = 1;
      while (i < words.length && words[i].value.startsWith('-')) i++;
      words = words.slice(i);
      continue;
    }
    const isShell = SHELLS.test(program) || program === 'powershell' || program === 'pwsh';
    // POSIX shells take a script after -c (also bundled: -lc, -ec); PowerShell after -Command / -EncodedCommand; cmd after /c or /k.
    const flagAt = words.findIndex(
      (w, i) => i > 0 && (SHELLS.test(program) ? /^-[a-z]*c[a-z]*$/.test(w.value) : isShell ? /^-(command|encodedcommand|c|e|ec)$/i.test(w.value) : /^\/[ck]$/i.test(w.value)),
    );
    if ((isShell || program === 'cmd') && flagAt > 0) {
      const script = words.slice(flagAt + 1);
      if (script.length === 0) return;
      const text = script.map((w) => w.value).join(' ');
      // `cmd /c npx -y pkg` is how Windows starts .cmd shims: one program, no shell syntax.
      if (program === 'cmd' && script.length > 1 && !/[&|<>^%]/.test(text)) return;
      for (const w of script) {
        const dl = downloadAndExecute(w.source, w.from, w.to);
        if (dl) {
          out.push(detection(server, 'download-exec', rangeOfSpan(w.source, dl), w.value.length > 100 ? `${w.value.slice(0, 99)}…` : w.value));
          return;
        }
      }
      const first = script[0];
      const shown = `${words[0].value.replace(/^.*[\\/]/, '')} ${words[flagAt].value} …`;
      out.push(detection(server, 'shell-wrapper', span(first, script[script.length - 1]), shown));
      return;
    }
    return;
  }
}

/** Docker run options that hand the container the host. */
function dockerOptions(out: State[], server: McpServer, options: Word[]): void {
  for (let i = 0; i < options.length; i++) {
    const w = options[i];
    const [flag, inline] = w.value.includes('=') && w.value.startsWith('--') ? [w.value.slice(0, w.value.indexOf('=')), w.value.slice(w.value.indexOf('=') + 1)] : [w.value, undefined];
    const next = inline === undefined ? options[i + 1] : undefined;
    const value = inline ?? next?.value ?? '';
    const range = next && inline === undefined ? span(w, next) : wordRange(w);
    if (flag === '--privileged' && inline !== 'false') out.push(detection(server, 'privileged', range, flag));
    else if (/^--(network|net|pid|ipc|uts|userns)$/.test(flag) && value === 'host') out.push(detection(server, 'host-namespace', range, flag === '--net' || flag === '--network' ? 'network namespace' : `${flag.slice(2)} namespace`));
    else if (flag === '--cap-add' && DANGEROUS_CAPABILITIES.test(value.replace(/^CAP_/i, ''))) out.push(detection(server, 'capability', range, value.toUpperCase()));
    else if (flag === '--security-opt' && /^(seccomp|apparmor)[=:]unconfined$|^label[=:]disable$|^systempaths[=:]unconfined$/i.test(value)) out.push(detection(server, 'unconfined', range, value));
    else if (/^(-v|--volume|--mount)$/.test(flag)) {
      const host = flag === '--mount' ? /(?:^|,)(?:source|src)=([^,]+)/.exec(value)?.[1] : hostPartOfVolume(value);
      if (!host) continue;
      if (/(^|[\\/])(docker\.sock|docker_engine)$/.test(host)) out.push(detection(server, 'docker-socket', range, `${host}`));
      else {
        const scope = broadPath(host);
        if (scope) out.push({ ...detection(server, 'host-mount', range, host), scope });
      }
    }
  }
}

/** `-v /host/path:/container[:ro]`: the host side (named volumes have no slash and are not host paths). */
function hostPartOfVolume(value: string): string | undefined {
  // A Windows drive letter has a colon of its own: `C:\Users\me:/data`.
  const m = /^([A-Za-z]:[\\/][^:]*|[^:]+)(?::|$)/.exec(value);
  const host = m?.[1];
  if (!host || !/[\\/~$%]/.test(host)) return undefined;
  return host;
}
