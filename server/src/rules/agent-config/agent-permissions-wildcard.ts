import { defineRule, type TextDetection } from '../../engine/rule';
import type { Fix, TextEdit } from '../../engine/types';
import { asArray, asObject, configDocument, entryOf, get, settingEntry, stringItems, type ConfigDocument, type ConfigEntry, type ConfigObject } from '../config-files';
import { agentFileOf } from './lib/agent-files';
import { broadPath } from './lib/paths';

type Kind = 'any-command' | 'code-execution' | 'network' | 'destructive' | 'any-url' | 'broad-read' | 'outside-write' | 'broad-directory' | 'missing-deny';

interface State extends TextDetection {
  kind: Kind;
  /** The rule as written: `Bash(curl:*)`, a terminal auto-approve pattern, `run_shell_command`. */
  entry: string;
  agent: string;
  /** For paths: how much they open. */
  detail?: string;
  /** For missing-deny: the deny rules to add. */
  missing?: string[];
  edit?: TextEdit;
}

const SEVERITY: Record<Kind, ['error' | 'warning' | 'info', 'high' | 'medium']> = {
  'any-command': ['error', 'high'],
  'code-execution': ['error', 'high'],
  network: ['warning', 'high'],
  destructive: ['warning', 'high'],
  'any-url': ['warning', 'high'],
  'broad-read': ['warning', 'high'],
  'outside-write': ['warning', 'high'],
  'broad-directory': ['warning', 'high'],
  'missing-deny': ['info', 'medium'],
};

/** Programs that run whatever code they are given (an allow rule for them allows everything). */
const CODE_EXECUTION = new Set(['bash', 'sh', 'zsh', 'fish', 'dash', 'ksh', 'python', 'python3', 'node', 'deno', 'bun', 'perl', 'ruby', 'php', 'pwsh', 'powershell', 'osascript', 'eval', 'exec', 'env', 'xargs', 'sudo', 'su', 'doas', 'npx', 'bunx', 'pnpx', 'uvx', 'docker', 'podman', 'kubectl', 'source']);
const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun', 'uv', 'pip', 'pip3', 'pipx', 'gem', 'cargo', 'go']);
const CODE_EXECUTION_PREFIXES = /^(npm (exec|x)|pnpm (dlx|exec)|yarn dlx|uv run|uv tool run|pipx run|bun x)\b/;
/** Programs that talk to arbitrary hosts: a way to send data out. */
const NETWORK = new Set(['curl', 'wget', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'ssh', 'scp', 'sftp', 'rsync', 'ftp', 'http', 'https', 'xh', 'aria2c']);
/** Programs that destroy or change access, or (git) can be turned into code execution by config. */
const DESTRUCTIVE = new Set(['rm', 'rmdir', 'dd', 'mkfs', 'shred', 'chmod', 'chown', 'truncate', 'kill', 'pkill', 'killall', 'git', 'find']);

/** The deny rules every broad allow list should carry, and what each protects. */
const DENY_DEFAULTS: { rule: string; covers: RegExp }[] = [
  { rule: 'Read(./.env)', covers: /\.env(?![.\w])|\.env\*|\*\*\)$|^Read\(\/\/\*\*\)$/ },
  { rule: 'Read(./.env.*)', covers: /\.env\.\*|\.env\*|^Read\(\/\/\*\*\)$/ },
  { rule: 'Read(~/.ssh/**)', covers: /\.ssh|^Read\(~\/\*\*\)$|^Read\(\/\/\*\*\)$/ },
  { rule: 'Read(~/.aws/**)', covers: /\.aws|^Read\(~\/\*\*\)$|^Read\(\/\/\*\*\)$/ },
];

export default defineRule<State>({
  meta: {
    id: 'agent-permissions-wildcard',
    group: 'agent-config',
    title: 'Agent allow list approves whole classes of commands, URLs or paths',
    severity: 'warning',
    status: 'stable',
    fix: 'unsafe',
    cwe: [732, 250],
    owasp: ['LLM06'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
      'https://cwe.mitre.org/data/definitions/732.html',
      'https://cwe.mitre.org/data/definitions/250.html',
      'https://docs.anthropic.com/en/docs/claude-code/iam#tool-specific-permission-rules',
      'https://docs.anthropic.com/en/docs/claude-code/settings#permission-settings',
      'https://code.visualstudio.com/docs/copilot/chat/chat-tools',
    ],
  },
  languages: ['json', 'toml'],
  fileKinds: ['perm'],
  checkFile(ctx) {
    const file = agentFileOf(ctx.path);
    const doc = configDocument(ctx);
    if (!doc) return undefined;
    const out: State[] = [];
    if (file === 'claude-settings') claude(out, doc);
    else if (file === 'vscode-settings') vscode(out, doc);
    else if (file === 'gemini-settings') gemini(out, doc);
    else if (file === 'codex-config') codex(out, doc);
    return out;
  },
  message(s) {
    const who = `\`${s.entry}\` in ${s.agent}`;
    const tail = 'One prompt injection in anything the agent reads is enough to use it.';
    const example = s.agent.startsWith('VS Code') ? '`"npm test": true`' : s.agent.startsWith('Gemini') ? '`run_shell_command(npm test)`' : '`Bash(npm run test:*)`';
    switch (s.kind) {
      case 'any-command':
        return `${who} approves every shell command: the agent can read any file, change anything and send data anywhere without asking. ${tail} Allow the exact commands the project needs (${example}).`;
      case 'code-execution':
        return `${who} approves a program that runs whatever code it is given, so it approves every command in effect. ${tail} Allow the specific scripts instead.`;
      case 'network':
        return `${who} approves requests to any host: a ready channel to send source, secrets or tool results out. ${tail} Allow specific URLs, or ask each time.`;
      case 'destructive':
        return `${who} approves a program that deletes files, changes permissions or (\`git\`, \`find\`) can be turned into running arbitrary commands. ${tail} Allow the exact subcommands needed.`;
      case 'any-url':
        return `${who} approves fetching any URL: pages full of untrusted text, and a URL that can carry data out. ${tail} Allow specific domains (\`WebFetch(domain:docs.example.com)\`).`;
      case 'broad-read':
        return `${who} approves reading ${s.detail} without asking — SSH keys, cloud credentials, tokens of other tools. ${tail}`;
      case 'outside-write':
        return `${who} approves writing outside the project (${s.detail}): shell profiles, git hooks and agent settings there run code later. ${tail}`;
      case 'broad-directory':
        return `${who} adds ${s.detail} to the folders the agent may work in. ${tail} Add only the folders the task needs.`;
      case 'missing-deny':
        return `This Claude Code allow list grants broad command or read access but denies nothing sensitive: add ${s.missing!.map((m) => `\`${m}\``).join(', ')} to \`deny\` so the agent's file tools cannot read them (Bash allow rules still can — keep those narrow too).`;
    }
  },
  fixes(s): Fix[] {
    if (!s.edit) return [];
    return [{ title: `Add deny rules: ${s.missing!.join(', ')}`, applicability: 'unsafe', edits: [s.edit] }];
  },
});

function detection(kind: Kind, str: { range: { start: number; end: number } }, entry: string, agent: string, detail?: string): State {
  const [severity, confidence] = SEVERITY[kind];
  return { range: str.range, kind, entry, agent, detail, severity, confidence };
}

/** What a shell command prefix approves: everything, code execution, the network, destruction, or nothing notable. */
function commandKind(prefix: string): Kind | undefined {
  const p = prefix.trim();
  if (p === '' || p === '*' || p === ':*') return 'any-command';
  if (CODE_EXECUTION_PREFIXES.test(p)) return 'code-execution';
  const words = p.split(/\s+/);
  const program = (words[0] ?? '').replace(/^.*\//, '').toLowerCase();
  if (CODE_EXECUTION.has(program)) return 'code-execution';
  // A package manager with no subcommand fixed can `exec`, `dlx` or install (and so run) anything.
  if (words.length === 1 && PACKAGE_MANAGERS.has(program)) return 'code-execution';
  if (NETWORK.has(program)) return 'network';
  // `git status`, `find . -name` with a subcommand fixed are fine; the bare program is not.
  if (DESTRUCTIVE.has(program) && (!['git', 'find'].includes(program) || p.split(/\s+/).length === 1)) return 'destructive';
  return undefined;
}

/**
 * A Claude Code `Bash(…)` specifier: `npm run test:*` (prefix syntax), `git diff *` (glob), an exact
 * command. Only a specifier that ends in a wildcard approves more than one command.
 */
function bashPrefix(spec: string | undefined): string | undefined {
  if (spec === undefined) return '';
  const s = spec.trim();
  if (s === '*' || s === ':*' || s === '*:*' || s === '') return '';
  const m = /^(.*?)(?::\*|\s*\*)$/.exec(s);
  return m ? m[1] : undefined;
}

/** A Claude Code path rule as a file-system path: `//x` absolute, `~/x` home, others inside the project. */
function claudePath(spec: string): { path: string; outside: boolean } {
  const s = spec.trim().replace(/(\/\*\*|\/\*|\*\*)+$/, '') || '/';
  if (s.startsWith('//')) return { path: s.slice(1) || '/', outside: true };
  if (s.startsWith('~')) return { path: s, outside: true };
  if (/^(\.\.\/|\.\.$)/.test(s)) return { path: s, outside: true };
  return { path: s, outside: false };
}

function claude(out: State[], doc: ConfigDocument): void {
  const permissions = asObject(get(doc.root, 'permissions'));
  if (!permissions) return;
  const allowEntry = entryOf(permissions, 'allow');
  let broad = false;
  for (const item of stringItems(allowEntry?.value)) {
    const m = /^(\w+)(?:\(([\s\S]*)\))?$/.exec(item.value.trim());
    if (!m) continue;
    const [, tool, spec] = m;
    if (tool === 'Bash') {
      const prefix = bashPrefix(spec);
      if (prefix === undefined) continue;
      const kind = commandKind(prefix);
      if (!kind) continue;
      out.push(detection(kind, item, item.value, 'the Claude Code allow list'));
      if (kind !== 'destructive') broad = true;
    } else if (tool === 'WebFetch' && (spec === undefined || /^domain:\*?$/.test(spec.trim()) || spec.trim() === '*')) {
      out.push(detection('any-url', item, item.value, 'the Claude Code allow list'));
    } else if (spec !== undefined && /^(Read|Edit|Write|MultiEdit|NotebookEdit|Glob|Grep)$/.test(tool)) {
      const { path, outside } = claudePath(spec);
      const scope = outside ? broadPath(path) : undefined;
      const reads = /^(Read|Glob|Grep)$/.test(tool);
      if (reads && scope) {
        out.push(detection('broad-read', item, item.value, 'the Claude Code allow list', scope));
        broad = true;
      } else if (!reads && outside) {
        const d = detection('outside-write', item, item.value, 'the Claude Code allow list', scope ?? `\`${path}\``);
        if (scope) d.severity = 'error';
        out.push(d);
      }
    }
  }
  for (const dir of stringItems(get(permissions, 'additionalDirectories'))) {
    const scope = broadPath(dir.value);
    if (!scope) continue;
    const d = detection('broad-directory', dir, dir.value, 'Claude Code `additionalDirectories`', scope);
    if (scope === 'the whole file system') d.severity = 'error';
    out.push(d);
    broad = true;
  }
  if (broad && allowEntry) missingDeny(out, doc, permissions, allowEntry);
}

function missingDeny(out: State[], doc: ConfigDocument, permissions: ConfigObject, allowEntry: ConfigEntry): void {
  const denyEntry = entryOf(permissions, 'deny');
  const denied = stringItems(denyEntry?.value).map((d) => d.value.trim()).filter((d) => /^Read\(/.test(d));
  const missing = DENY_DEFAULTS.filter((d) => !denied.some((rule) => d.covers.test(rule))).map((d) => d.rule);
  if (missing.length === 0) return;
  const d = detection('missing-deny', { range: allowEntry.keyRange }, 'allow', 'Claude Code');
  d.missing = missing;
  d.edit = denyEdit(doc, allowEntry, denyEntry, missing);
  out.push(d);
}

/** The text of the line up to `offset`, if it is only indentation. */
function indentAt(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

function sameLine(text: string, a: number, b: number): boolean {
  return !text.slice(Math.min(a, b), Math.max(a, b)).includes('\n');
}

/** Adds the missing deny rules in the file's own layout: into an existing `deny` array, or as a new `deny` after `allow`. */
function denyEdit(doc: ConfigDocument, allowEntry: ConfigEntry, denyEntry: ConfigEntry | undefined, missing: string[]): TextEdit | undefined {
  if (doc.format !== 'json') return undefined;
  const text = doc.text;
  const quoted = missing.map((m) => JSON.stringify(m));
  const keyIndent = indentAt(text, allowEntry.keyRange.start);
  const deny = asArray(denyEntry?.value);
  if (denyEntry && !deny) return undefined;
  const layoutOf = (items: { range: { start: number } }[], open: number) => {
    const first = items[0];
    const itemIndent = first && !sameLine(text, open, first.range.start) ? indentAt(text, first.range.start) : undefined;
    return itemIndent;
  };
  if (deny) {
    const last = deny.items[deny.items.length - 1];
    if (!last) return { start: deny.range.start, end: deny.range.end, newText: `[${quoted.join(', ')}]` };
    const itemIndent = layoutOf(deny.items, deny.range.start);
    const joined = itemIndent !== undefined ? quoted.map((q) => `,\n${itemIndent}${q}`).join('') : quoted.map((q) => `, ${q}`).join('');
    return { start: last.range.end, end: last.range.end, newText: joined };
  }
  const allow = asArray(allowEntry.value);
  if (!allow) return undefined;
  const itemIndent = layoutOf(allow.items, allow.range.start);
  if (keyIndent === undefined) return { start: allow.range.end, end: allow.range.end, newText: `, "deny": [${quoted.join(', ')}]` };
  const body = itemIndent !== undefined ? `[\n${quoted.map((q) => `${itemIndent}${q}`).join(',\n')}\n${keyIndent}]` : `[${quoted.join(', ')}]`;
  return { start: allow.range.end, end: allow.range.end, newText: `,\n${keyIndent}"deny": ${body}` };
}

function vscode(out: State[], doc: ConfigDocument): void {
  const rules = asObject(settingEntry(doc.root, 'chat.tools.terminal.autoApprove')?.value);
  for (const entry of rules?.entries ?? []) {
    const approve = entry.value.kind === 'boolean' ? entry.value.value : get(entry.value, 'approve')?.kind === 'boolean' && (get(entry.value, 'approve') as { value: boolean }).value;
    if (!approve) continue;
    const kind = terminalRuleKind(entry.key);
    if (kind) out.push(detection(kind, { range: entry.keyRange }, entry.key, 'VS Code `chat.tools.terminal.autoApprove`'));
  }
}

/** A `chat.tools.terminal.autoApprove` key: a command prefix, or a `/regex/` matched against the command line. */
function terminalRuleKind(key: string): Kind | undefined {
  const regex = /^\/(.*)\/[a-z]*$/s.exec(key);
  if (!regex) return commandKind(key);
  const body = regex[1];
  // A pattern that matches every command line.
  if (/^\^?(\.\*|\.\+|\[\\s\\S\]\*|\(\?:\))?\$?$/.test(body)) return 'any-command';
  const program = /^\^?([A-Za-z0-9._-]+)(\\b|\\s|\s|\(|$)/.exec(body);
  // Only a pattern that stops at the program name approves every use of it.
  if (program && /^\^?[A-Za-z0-9._-]+(\\b|\\s\+?|\s)?(\.\*)?$/.test(body)) return commandKind(program[1]);
  return undefined;
}

function gemini(out: State[], doc: ConfigDocument): void {
  const lists = [asArray(get(get(doc.root, 'tools'), 'allowed')), asArray(get(doc.root, 'allowedTools'))];
  for (const list of lists) {
    for (const item of stringItems(list)) {
      const m = /^(run_shell_command|ShellTool|web_fetch|WebFetchTool)(?:\(([\s\S]*)\))?$/.exec(item.value.trim());
      if (!m) continue;
      if (/^(web_fetch|WebFetchTool)$/.test(m[1])) {
        if (m[2] === undefined) out.push(detection('any-url', item, item.value, 'Gemini CLI `tools.allowed`'));
        continue;
      }
      // `run_shell_command(git)` approves every command starting with `git`.
      const kind = commandKind(m[2] ?? '');
      if (kind) out.push(detection(kind, item, item.value, 'Gemini CLI `tools.allowed`'));
    }
  }
}

function codex(out: State[], doc: ConfigDocument): void {
  for (const root of stringItems(get(get(doc.root, 'sandbox_workspace_write'), 'writable_roots'))) {
    const scope = broadPath(root.value);
    if (!scope) continue;
    const d = detection('broad-directory', root, root.value, 'Codex `writable_roots`', scope);
    if (scope === 'the whole file system') d.severity = 'error';
    out.push(d);
  }
}

