// Which agent settings file is which, and the command-line switches that turn an agent's
// approvals off, as they appear in npm scripts, VS Code tasks and hooks.
import { asArray, asObject, asString, baseName, get, normalisePath, replaceInString, type ConfigArray, type ConfigDocument, type ConfigObject, type ConfigString, type Word } from '../../config-files';
import type { TextEdit } from '../../../engine/types';
import { launchOf } from './launchers';
import { commandsOf } from './shell';

export type AgentFile = 'claude-settings' | 'codex-config' | 'gemini-settings' | 'vscode-settings' | 'vscode-tasks' | 'package-json' | 'other';

export function agentFileOf(path: string): AgentFile {
  const p = normalisePath(path);
  if (/(^|\/)\.claude\/settings(\.local)?\.json$/.test(p)) return 'claude-settings';
  if (/(^|\/)\.codex\/config\.toml$/.test(p)) return 'codex-config';
  if (/(^|\/)\.gemini\/settings\.json$/.test(p)) return 'gemini-settings';
  if (/(^|\/)\.vscode\/settings\.json$/.test(p)) return 'vscode-settings';
  if (/(^|\/)\.vscode\/tasks\.json$/.test(p)) return 'vscode-tasks';
  if (baseName(path) === 'package.json') return 'package-json';
  return 'other';
}

/** `.claude/settings.local.json` is personal and git-ignored by Claude Code; `settings.json` is shared. */
export function isSharedClaudeSettings(path: string): boolean {
  return /(^|\/)\.claude\/settings\.json$/.test(normalisePath(path));
}

/** A command line written somewhere the agent CLI may be started from, with where it came from. */
export interface CommandLine {
  /** The string holding the command (a script, a task command, one task argument). */
  source: ConfigString;
  /** "npm script `agent`", "task `Review`". */
  origin: string;
  /** The words of a process task after its command: flags may be separate array items. */
  argv?: ConfigString[];
  /** The array holding `argv`, to remove items from. */
  array?: ConfigArray;
}

/** npm scripts of a package.json. */
export function packageScripts(doc: ConfigDocument): CommandLine[] {
  const scripts = asObject(get(doc.root, 'scripts'));
  return (scripts?.entries ?? []).flatMap((e) => (e.value.kind === 'string' ? [{ source: e.value, origin: `npm script \`${e.key}\`` }] : []));
}

/** VS Code tasks (and their per-platform variants), with their command and arguments. */
export function vscodeTasks(doc: ConfigDocument): { task: ConfigObject; label: string; lines: CommandLine[] }[] {
  const out: { task: ConfigObject; label: string; lines: CommandLine[] }[] = [];
  for (const item of asArray(get(doc.root, 'tasks'))?.items ?? []) {
    const task = asObject(item);
    if (!task) continue;
    const label = asString(get(task, 'label'))?.value ?? asString(get(task, 'command'))?.value ?? 'task';
    const lines: CommandLine[] = [];
    for (const variant of [task, asObject(get(task, 'windows')), asObject(get(task, 'linux')), asObject(get(task, 'osx'))]) {
      if (!variant) continue;
      const command = asString(get(variant, 'command')) ?? asString(get(asObject(get(variant, 'command')), 'value'));
      const args = asArray(get(variant, 'args'));
      const argv = (args?.items ?? []).map((a) => asString(a) ?? asString(get(a, 'value'))).filter((a): a is ConfigString => !!a);
      if (command) lines.push({ source: command, origin: `task \`${label}\``, argv, array: args });
      else for (const a of argv) lines.push({ source: a, origin: `task \`${label}\`` });
    }
    out.push({ task, label, lines });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Agent CLIs and the switches that turn approvals off

const AGENT_PROGRAMS: Record<string, string> = {
  claude: 'Claude Code',
  codex: 'Codex',
  gemini: 'Gemini CLI',
  qwen: 'Qwen Code',
  'cursor-agent': 'Cursor Agent',
  copilot: 'GitHub Copilot CLI',
  amp: 'Amp',
  aider: 'Aider',
};

const AGENT_PACKAGES: Record<string, string> = {
  '@anthropic-ai/claude-code': 'claude',
  '@openai/codex': 'codex',
  '@google/gemini-cli': 'gemini',
  '@qwen-code/qwen-code': 'qwen',
  '@github/copilot': 'copilot',
  '@sourcegraph/amp': 'amp',
  'aider-chat': 'aider',
};

/** Switches per agent: a flag alone, or a flag with the value that makes it dangerous. */
const SWITCHES: Record<string, { flag: RegExp; value?: RegExp; what: string }[]> = {
  claude: [
    { flag: /^--(allow-)?dangerously-skip-permissions$/, what: 'skips every permission prompt' },
    { flag: /^--permission-mode$/, value: /^bypassPermissions$/, what: 'skips every permission prompt' },
  ],
  codex: [
    { flag: /^(--dangerously-bypass-approvals-and-sandbox|--yolo)$/, what: 'runs every command without approval and without the sandbox' },
    { flag: /^(-s|--sandbox)$/, value: /^danger-full-access$/, what: 'turns the sandbox off' },
  ],
  gemini: [
    { flag: /^(--yolo|-y)$/, what: 'approves every tool call' },
    { flag: /^--approval-mode$/, value: /^yolo$/, what: 'approves every tool call' },
  ],
  qwen: [
    { flag: /^(--yolo|-y)$/, what: 'approves every tool call' },
    { flag: /^--approval-mode$/, value: /^yolo$/, what: 'approves every tool call' },
  ],
  'cursor-agent': [{ flag: /^(--force|-f)$/, what: 'runs every command without asking' }],
  copilot: [{ flag: /^(--allow-all-tools|--allow-all-paths|--allow-all|--yolo)$/, what: 'approves every tool without asking' }],
  amp: [{ flag: /^--dangerously-allow-all$/, what: 'approves every tool without asking' }],
  aider: [{ flag: /^--yes-always$/, what: 'answers yes to every prompt, shell commands included' }],
};

export interface AgentSwitch {
  /** The agent's display name. */
  agent: string;
  /** The switch as written (`--dangerously-skip-permissions`, `--approval-mode yolo`). */
  text: string;
  what: string;
  /** The switch's words (flag, and its value when separate). */
  words: Word[];
}

/** The approval-disabling switches in the agent command lines of a script. */
export function agentSwitches(line: Word[][]): AgentSwitch[] {
  const out: AgentSwitch[] = [];
  for (const words of line) {
    if (words.length === 0) continue;
    let program = words[0].value.replace(/\\/g, '/').split('/').pop()!.toLowerCase();
    let args = words.slice(1);
    const launch = launchOf(words);
    const pkg = launch?.packages[0];
    if (pkg && AGENT_PACKAGES[pkg.name]) {
      program = AGENT_PACKAGES[pkg.name];
      args = launch!.rest;
    }
    const switches = SWITCHES[program];
    if (!switches) continue;
    for (let i = 0; i < args.length; i++) {
      const [flag, inline] = args[i].value.startsWith('--') && args[i].value.includes('=') ? [args[i].value.slice(0, args[i].value.indexOf('=')), args[i].value.slice(args[i].value.indexOf('=') + 1)] : [args[i].value, undefined];
      for (const sw of switches) {
        if (!sw.flag.test(flag)) continue;
        if (sw.value) {
          const value = inline ?? args[i + 1]?.value;
          if (!value || !sw.value.test(value)) continue;
          const taken = inline === undefined ? [args[i], args[i + 1]] : [args[i]];
          out.push({ agent: AGENT_PROGRAMS[program], text: taken.map((w) => w.value).join(' '), what: sw.what, words: taken });
        } else out.push({ agent: AGENT_PROGRAMS[program], text: flag, what: sw.what, words: [args[i]] });
        break;
      }
    }
  }
  return out;
}

/** The simple commands of a script as word lists. */
export function scriptCommands(s: ConfigString): Word[][] {
  return commandsOf(s).map((c) => c.words);
}

/** An edit deleting words from inside one string, with the whitespace before each. */
export function removeWords(words: Word[]): TextEdit[] | undefined {
  const edits: TextEdit[] = [];
  for (const w of words) {
    let from = w.from;
    while (from > 0 && /[ \t]/.test(w.source.value[from - 1])) from--;
    // At the very start of the string, take the whitespace after instead.
    let to = w.to;
    if (from === 0) while (to < w.source.value.length && /[ \t]/.test(w.source.value[to])) to++;
    const edit = replaceInString(w.source, from, to, '');
    if (!edit) return undefined;
    edits.push(edit);
  }
  return edits;
}
