import { defineRule, type TextDetection } from '../../engine/rule';
import type { Fix, TextEdit } from '../../engine/types';
import { asArray, asObject, asString, configDocument, get, programName, replaceInString, stringItems, substringRange, wholeWord, wordRange, type ConfigDocument, type ConfigString, type Word } from '../config-files';
import { agentFileOf, vscodeTasks } from './lib/agent-files';
import { launchOf } from './lib/launchers';
import { downloadAndExecute, expansionsOf, pipelinesOf, type Expansion, type SimpleCommand } from './lib/shell';
import { parseUrl, reachOf } from './lib/urls';

type Kind = 'download-exec' | 'exfiltration' | 'injection' | 'unquoted' | 'fetch-on-open' | 'package-on-open';

interface State extends TextDetection {
  kind: Kind;
  /** Which command: "the `PostToolUse` hook", "the task `Setup` (runs when the folder opens)". */
  origin: string;
  /** What is sent, expanded or run, as written. */
  detail: string;
  quote?: TextEdit[];
  /** For exfiltration: what is sent. */
  payload?: string;
}

const SEVERITY: Record<Kind, ['error' | 'warning', 'high' | 'medium']> = {
  'download-exec': ['error', 'high'],
  exfiltration: ['error', 'high'],
  injection: ['error', 'high'],
  unquoted: ['warning', 'medium'],
  'fetch-on-open': ['warning', 'high'],
  'package-on-open': ['warning', 'medium'],
};

/** Programs that send what they are given to another host. */
const SENDERS = new Set(['curl', 'wget', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'http', 'https', 'xh', 'iwr', 'irm', 'invoke-webrequest', 'invoke-restmethod']);
/** Programs that fetch remote content (for tasks that run when a folder opens). */
const FETCHERS = new Set(['curl', 'wget', 'iwr', 'irm', 'invoke-webrequest', 'invoke-restmethod', 'aria2c', 'http', 'https', 'xh']);
/** Variables a hook receives from the agent (tool input, file paths). */
const TOOL_INPUT_VARIABLES = /^(CLAUDE_TOOL_INPUT|CLAUDE_FILE_PATHS|CLAUDE_TOOL_OUTPUT|CLAUDE_TOOL_NAME|CLAUDE_NOTIFICATION|ARGUMENTS|TOOL_INPUT)$/;
/** Command substitutions that read what the agent passed in. */
const READS_TOOL_INPUT = /tool_input|tool_response|\.prompt\b|\bjq\b|CLAUDE_TOOL|CLAUDE_FILE|\/dev\/stdin|^\s*cat\s*$|^\s*<\s*\/dev\/stdin/;
/** Secrets and private data in arguments: agent variables, credential-named variables, credential files, the whole environment. */
const SENSITIVE =
  /\$\{?CLAUDE_(?!PROJECT_DIR)\w*|\$\{?ANTHROPIC_\w*|\$\{?\w*(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|CREDENTIALS?|SESSION)\w*|\$\((?:[^)]*\b(cat|env|printenv|jq|base64|security|gpg|gh auth token|aws configure)\b)|@-|@\/dev\/stdin|@~\/|@\$HOME|@\S*\.env\b|\.ssh\/|\.aws\/|id_rsa|id_ed25519|\.netrc|\.git-credentials/;
/** Options whose value authenticates the request itself (a token sent to its own service is expected). */
const AUTH_OPTIONS = /^(-H|--header|-u|--user|--oauth2-bearer|--proxy-user|--header=.*|-H.+)$/;

export default defineRule<State>({
  meta: {
    id: 'agent-hook-unsafe',
    group: 'agent-config',
    title: 'Agent hook or auto-run task that downloads, leaks or injects',
    severity: 'error',
    status: 'stable',
    fix: 'unsafe',
    cwe: [78, 94],
    owasp: ['LLM06'],
    confidence: 'high',
    references: [
      'https://docs.anthropic.com/en/docs/claude-code/hooks#security-considerations',
      'https://code.visualstudio.com/docs/editor/tasks#_run-behavior',
      'https://code.visualstudio.com/docs/editor/workspace-trust',
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
      'https://cwe.mitre.org/data/definitions/78.html',
      'https://cwe.mitre.org/data/definitions/94.html',
    ],
  },
  languages: ['json', 'toml'],
  fileKinds: ['perm'],
  checkFile(ctx) {
    const file = agentFileOf(ctx.path);
    const doc = configDocument(ctx);
    if (!doc) return undefined;
    const out: State[] = [];
    if (file === 'claude-settings' || file === 'gemini-settings') {
      for (const { command, origin } of hookCommands(doc, file === 'gemini-settings' ? 'Gemini CLI' : 'Claude Code')) script(out, command, origin);
    } else if (file === 'codex-config') {
      const notify = stringItems(get(doc.root, 'notify'));
      const shell = notify.findIndex((w, i) => i > 0 && /^-[a-z]*c$/.test(w.value) && /^(ba|z|da)?sh$/.test(programName(notify[0].value)));
      if (shell > 0 && notify[shell + 1]) script(out, notify[shell + 1], 'Codex `notify`');
    } else if (file === 'vscode-tasks') {
      for (const { task, label, lines } of vscodeTasks(doc)) {
        if (asString(get(asObject(get(task, 'runOptions')), 'runOn'))?.value !== 'folderOpen') continue;
        for (const line of lines) folderOpen(out, line.source, line.argv ?? [], `The task \`${label}\`, which runs when the folder opens,`);
      }
    }
    return out;
  },
  message(s) {
    switch (s.kind) {
      case 'download-exec':
        return `${s.origin} downloads code and runs it (\`${s.detail}\`): whoever controls that URL runs code on every machine where this runs, unreviewed. Commit the script to the repository, or install a pinned package.`;
      case 'exfiltration':
        return `${s.origin} sends ${s.payload} to another host (\`${s.detail}\`): what the agent reads and does — file contents, commands, secrets it came across — leaves the machine on every event. Keep hook output local, or send only fixed, non-sensitive messages.`;
      case 'injection':
        return `${s.origin} evaluates text that comes from the agent's tool input (\`${s.detail}\`): a file name or command crafted by a prompt injection becomes a shell command. Pass the value as a quoted argument to a script instead of evaluating it.`;
      case 'unquoted':
        return `${s.origin} uses \`${s.detail}\`, taken from the agent's tool input, without quotes: a path with spaces, wildcards or a leading \`-\` (easy to produce by prompt injection) splits into several arguments, expands to other files, or becomes an option. Quote it: \`"${s.detail}"\`.`;
      case 'fetch-on-open':
        return `${s.origin} fetches remote content (\`${s.detail}\`): opening the folder is enough to run it, before anyone has read the repository. Run it on demand instead, and never pipe it into a shell.`;
      case 'package-on-open':
        return `${s.origin} runs a registry package (\`${s.detail}\`): opening the folder downloads and executes whatever that package is today. Run it on demand, pinned, instead.`;
    }
  },
  fixes(s): Fix[] {
    if (!s.quote) return [];
    return [{ title: `Quote ${s.detail}`, applicability: 'unsafe', edits: s.quote }];
  },
});

function detection(kind: Kind, range: { start: number; end: number }, origin: string, detail: string): State {
  const [severity, confidence] = SEVERITY[kind];
  return { range, kind, origin, detail: detail.length > 100 ? `${detail.slice(0, 99)}…` : detail, severity, confidence };
}

/** Every command an agent runs from its settings: hooks, the status line, credential helpers. */
function hookCommands(doc: ConfigDocument, agent: string): { command: ConfigString; origin: string }[] {
  const out: { command: ConfigString; origin: string }[] = [];
  for (const event of asObject(get(doc.root, 'hooks'))?.entries ?? []) {
    for (const group of asArray(event.value)?.items ?? []) {
      const matcher = asString(get(group, 'matcher'))?.value;
      for (const hook of asArray(get(group, 'hooks'))?.items ?? []) {
        const type = asString(get(hook, 'type'))?.value;
        const command = asString(get(hook, 'command'));
        if (command && (type === undefined || type === 'command')) out.push({ command, origin: `The ${agent} \`${event.key}\` hook${matcher ? ` (matcher \`${matcher}\`)` : ''}` });
      }
    }
  }
  const status = asString(get(get(doc.root, 'statusLine'), 'command'));
  if (status) out.push({ command: status, origin: `The ${agent} status line command` });
  for (const key of ['apiKeyHelper', 'awsAuthRefresh', 'awsCredentialExport', 'otelHeadersHelper']) {
    const helper = asString(get(doc.root, key));
    if (helper) out.push({ command: helper, origin: `The ${agent} \`${key}\`` });
  }
  return out;
}

function commandSpan(cmd: SimpleCommand): { start: number; end: number } {
  return { start: wordRange(cmd.words[0]).start, end: wordRange(cmd.words[cmd.words.length - 1]).end };
}

function commandText(cmd: SimpleCommand): string {
  const s = cmd.words[0].source;
  // A process task's words come from separate strings.
  if (cmd.words.some((w) => w.source !== s)) return cmd.words.map((w) => w.value).join(' ');
  return s.value.slice(cmd.words[0].from, cmd.words[cmd.words.length - 1].to);
}

/** A hook's shell command: download-and-execute, data sent out, tool input evaluated or left unquoted. */
function script(out: State[], s: ConfigString, origin: string): void {
  const dl = downloadAndExecute(s);
  if (dl) out.push(detection('download-exec', substringRange(s, dl.from, dl.to), origin, s.value.slice(dl.from, dl.to)));
  const pipelines = pipelinesOf(s);
  for (const pipeline of pipelines) {
    pipeline.forEach((cmd, i) => {
      if (!SENDERS.has(cmd.name) || exfiltrationTarget(cmd) === 'local') return;
      // What reaches stdin: the hook's own input (tool input, prompts) for the first command, else the previous command's output.
      const upstreamIsConstant = i > 0 && pipeline.slice(0, i).every((c) => ['echo', 'printf'].includes(c.name) && !c.args.some((a) => a.value.includes('$')));
      const sendsInput = readsStdin(cmd, i) && !upstreamIsConstant;
      const sendsSecrets = cmd.args.some((a, j) => !AUTH_OPTIONS.test(cmd.args[j - 1]?.value ?? '') && !AUTH_OPTIONS.test(a.value) && SENSITIVE.test(s.value.slice(a.from, a.to)));
      if (!sendsInput && !sendsSecrets) return;
      const d = detection('exfiltration', commandSpan(cmd), origin, commandText(cmd));
      d.payload = !sendsInput ? 'secrets named in its arguments' : i === 0 ? 'the tool input the hook receives on stdin' : `the output of \`${pipeline.slice(0, i).map((c) => c.name || c.words[0].value).join(' | ')}\``;
      out.push(d);
    });
  }
  toolInputExpansions(out, s, pipelines, origin);
}

const DATA_FLAGS = /^(-d|--data|--data-binary|--data-raw|--data-ascii|--data-urlencode|-F|--form|-T|--upload-file|--json|--post-file|--body-file)$/;

/** Whether a sending command sends its standard input: netcat and friends always, curl/wget when told to (`-d @-`). */
function readsStdin(cmd: SimpleCommand, index: number): boolean {
  if (['nc', 'ncat', 'netcat', 'socat', 'telnet'].includes(cmd.name)) return true;
  if (['http', 'https', 'xh'].includes(cmd.name) && index > 0) return true;
  return cmd.args.some((a, j) => {
    if (/^-d@-$/.test(a.value)) return true;
    const inline = /^(--[\w-]+)=(.*)$/s.exec(a.value);
    const [flag, value] = inline ? [inline[1], inline[2]] : [cmd.args[j - 1]?.value, a.value];
    return !!flag && DATA_FLAGS.test(flag) && /^(@-|@\/dev\/stdin|-|\/dev\/stdin)$/.test(value);
  });
}

/** Where a sending command goes: 'local' for loopback, else 'remote' (unknown counts as remote). */
function exfiltrationTarget(cmd: SimpleCommand): 'local' | 'remote' {
  const url = cmd.args.map((a) => parseUrl(a.value)).find((u) => u && /^(https?|wss?|ftp|telnet)$/.test(u.scheme));
  if (url) return reachOf(url.host) === 'loopback' ? 'local' : 'remote';
  if (['nc', 'ncat', 'netcat', 'telnet'].includes(cmd.name)) {
    const host = cmd.args.find((a) => !a.value.startsWith('-') && !/^\d+$/.test(a.value));
    if (host && reachOf(host.value) === 'loopback') return 'local';
  }
  return 'remote';
}

/** Tool-input values expanded into a command: evaluated (injection) or unquoted (word splitting). */
function toolInputExpansions(out: State[], s: ConfigString, pipelines: SimpleCommand[][], origin: string): void {
  const expansions = expansionsOf(s);
  if (expansions.length === 0) return;
  // Variables assigned from tool input earlier in the script: `f=$(jq -r .tool_input.file_path)`, `read -r f`.
  const tainted = new Set<string>();
  for (const cmd of pipelines.flat()) {
    for (const w of cmd.words) {
      const assign = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w.value);
      if (assign && (READS_TOOL_INPUT.test(assign[2]) || [...assign[2].matchAll(/\$\{?([A-Za-z_]\w*)/g)].some((m) => TOOL_INPUT_VARIABLES.test(m[1]) || tainted.has(m[1])))) tainted.add(assign[1]);
    }
    if (cmd.name === 'read') for (const a of cmd.args) if (!a.value.startsWith('-')) tainted.add(a.value);
  }
  const isTainted = (e: Expansion) => (e.kind === 'command' ? READS_TOOL_INPUT.test(e.body) : TOOL_INPUT_VARIABLES.test(e.body) || tainted.has(e.body));
  for (const e of expansions) {
    if (!isTainted(e)) continue;
    const cmd = pipelines.flat().find((c) => c.words.some((w) => w.from <= e.from && e.to <= w.to));
    const word = cmd?.words.find((w) => w.from <= e.from && e.to <= w.to);
    if (!cmd || !word) continue;
    const text = s.value.slice(e.from, e.to);
    // The value is run as code: eval, source, or the script of `sh -c`.
    const shellScript = /^(ba|z|da|k)?sh$/.test(cmd.name) && cmd.args.some((a, j) => /^-[a-z]*c$/.test(a.value) && cmd.args[j + 1] === word);
    if (['eval', 'source', '.'].includes(cmd.name) || shellScript) {
      out.push(detection('injection', substringRange(s, e.from, e.to), origin, text));
      continue;
    }
    // Unquoted, in an argument (not an assignment, not the program itself, not inside [[ ]]).
    if (e.quoted || cmd.program === word || /^[A-Za-z_][A-Za-z0-9_]*=/.test(word.value) || cmd.name === '[[') continue;
    const d = detection('unquoted', substringRange(s, e.from, e.to), origin, text);
    const open = replaceInString(s, e.from, e.from, '"');
    const close = replaceInString(s, e.to, e.to, '"');
    if (open && close) d.quote = [open, close];
    out.push(d);
  }
}

/** A task that runs when the folder opens: downloads, fetches, or runs registry packages. */
function folderOpen(out: State[], command: ConfigString, argv: ConfigString[], origin: string): void {
  for (const s of [command, ...argv]) {
    const dl = downloadAndExecute(s);
    if (dl) {
      out.push(detection('download-exec', substringRange(s, dl.from, dl.to), origin, s.value.slice(dl.from, dl.to)));
      return;
    }
  }
  // A process task's program and arguments, or the commands of a shell line.
  const commands: SimpleCommand[] = argv.length > 0 ? [{ words: [wholeWord(command), ...argv.map(wholeWord)], program: wholeWord(command), name: programName(command.value), args: argv.map(wholeWord) }] : [];
  commands.push(...pipelinesOf(command).flat());
  for (const a of argv) commands.push(...pipelinesOf(a).flat().filter((c) => c.words.length > 1));
  for (const cmd of commands) {
    if (FETCHERS.has(cmd.name)) {
      out.push(detection('fetch-on-open', commandSpan(cmd), origin, commandText(cmd)));
      return;
    }
    if (fetchesPackage(cmd.words)) {
      out.push(detection('package-on-open', commandSpan(cmd), origin, commandText(cmd)));
      return;
    }
  }
}

/** Runners that always fetch (`uvx`, `pipx run`, `dlx`), or npx told to install (`-y`, a versioned spec). */
function fetchesPackage(words: Word[]): boolean {
  const launch = launchOf(words);
  if (!launch || launch.ecosystem === 'docker' || launch.packages.length === 0) return false;
  if (launch.runner === 'npx' || launch.runner === 'bunx' || launch.runner === 'npm exec') {
    return launch.autoYes || launch.packages.some((p) => p.version !== undefined && p.pin !== 'local');
  }
  return launch.packages.some((p) => p.pin !== 'local');
}
