import { defineRule, type TextDetection } from '../../engine/rule';
import type { Fix, TextEdit, TextRange } from '../../engine/types';
import { asObject, asString, configDocument, entryOf, get, removeArrayItems, settingEntry, wholeWord, wordRange, type ConfigDocument, type ConfigEntry, type ConfigObject, type ConfigString } from '../config-files';
import { agentFileOf, agentSwitches, isSharedClaudeSettings, packageScripts, removeWords, scriptCommands, vscodeTasks, type CommandLine } from './lib/agent-files';

interface State extends TextDetection {
  /** What turns approvals off, as written. */
  setting: string;
  /** Which agent, and where the setting is. */
  agent: string;
  where: string;
  /** What it lets the agent do unasked. */
  effect: string;
  /** A command-line switch rather than a setting. */
  switch?: boolean;
  fix?: Fix;
}

export default defineRule<State>({
  meta: {
    id: 'agent-permissions-bypass',
    group: 'agent-config',
    title: 'Coding agent configured to act without asking for approval',
    severity: 'error',
    status: 'stable',
    fix: 'safe',
    cwe: [862, 250],
    owasp: ['LLM06'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
      'https://cwe.mitre.org/data/definitions/862.html',
      'https://cwe.mitre.org/data/definitions/250.html',
      'https://docs.anthropic.com/en/docs/claude-code/iam#permission-modes',
      'https://github.com/openai/codex/blob/main/docs/config.md',
      'https://github.com/google-gemini/gemini-cli/blob/main/docs/get-started/configuration.md',
      'https://code.visualstudio.com/docs/copilot/chat/chat-tools',
    ],
  },
  languages: ['json', 'toml'],
  // package.json is an ordinary config file to the classifier; checkFile picks it out by name.
  fileKinds: ['perm', 'config'],
  checkFile(ctx) {
    const file = agentFileOf(ctx.path);
    if (file === 'other') return undefined;
    const doc = configDocument(ctx);
    if (!doc) return undefined;
    const out: State[] = [];
    switch (file) {
      case 'claude-settings':
        claude(out, doc, ctx.path);
        break;
      case 'codex-config':
        codex(out, doc);
        break;
      case 'gemini-settings':
        gemini(out, doc);
        break;
      case 'vscode-settings':
        vscode(out, doc);
        break;
      case 'vscode-tasks':
        for (const { lines } of vscodeTasks(doc)) for (const line of lines) commandLine(out, line);
        break;
      case 'package-json':
        for (const line of packageScripts(doc)) commandLine(out, line);
        break;
    }
    return out;
  },
  message(s) {
    const lead = s.switch ? `${s.where} runs ${s.agent} with ${s.setting}, which ${s.effect}` : `${s.where} sets ${s.setting}: ${s.agent} ${s.effect}`;
    return `${lead}. A prompt injection in any file, web page or tool result the agent reads is then carried out with no one reviewing it. Keep approvals on, and allow specific safe commands instead.`;
  },
  fixes(s): Fix[] {
    return s.fix ? [s.fix] : [];
  },
});

function setValue(value: { range: TextRange }, newText: string, title: string, applicability: 'safe' | 'unsafe' = 'safe'): Fix {
  return { title, applicability, edits: [{ start: value.range.start, end: value.range.end, newText }] };
}

function span(entry: ConfigEntry): TextRange {
  return { start: entry.keyRange.start, end: entry.value.range.end };
}

function claude(out: State[], doc: ConfigDocument, path: string): void {
  const mode = entryOf(get(doc.root, 'permissions'), 'defaultMode');
  const value = asString(mode?.value)?.value;
  if (mode && value === 'bypassPermissions') {
    out.push({
      range: span(mode),
      setting: '`permissions.defaultMode: "bypassPermissions"`',
      agent: 'Claude Code',
      where: isSharedClaudeSettings(path) ? 'This shared Claude Code settings file' : 'This Claude Code settings file',
      effect: 'runs every tool without asking',
      fix: setValue(mode.value, '"default"', 'Set defaultMode to "default"'),
    });
  }
  // acceptEdits approves file edits only; in the shared file it decides that for every contributor.
  if (mode && value === 'acceptEdits' && isSharedClaudeSettings(path)) {
    out.push({
      range: span(mode),
      setting: '`permissions.defaultMode: "acceptEdits"`',
      agent: 'Claude Code',
      where: 'This shared Claude Code settings file',
      effect: 'edits files without asking (including scripts, hooks and configs that run later)',
      severity: 'info',
      confidence: 'medium',
    });
  }
}

/** Codex: approval_policy and sandbox_mode at the top level and in each `[profiles.*]` (a profile inherits the top level). */
function codex(out: State[], doc: ConfigDocument): void {
  const tables: { table: ConfigObject; name?: string }[] = [{ table: doc.root }];
  for (const p of asObject(get(doc.root, 'profiles'))?.entries ?? []) {
    const table = asObject(p.value);
    if (table) tables.push({ table, name: p.key });
  }
  const rootApproval = asString(get(doc.root, 'approval_policy'))?.value;
  const rootSandbox = asString(get(doc.root, 'sandbox_mode'))?.value;
  for (const { table, name } of tables) {
    const approvalEntry = entryOf(table, 'approval_policy');
    const sandboxEntry = entryOf(table, 'sandbox_mode');
    const approval = asString(approvalEntry?.value)?.value ?? rootApproval;
    const sandbox = asString(sandboxEntry?.value)?.value ?? rootSandbox;
    if (sandbox !== 'danger-full-access') continue;
    // Report where this table makes it dangerous; a profile that changes neither key inherits the top level's finding.
    const anchor = sandboxEntry ?? (approval === 'never' ? approvalEntry : undefined);
    if (!anchor) continue;
    const where = name ? `Codex profile \`${name}\`` : 'This Codex configuration';
    const sandboxValue = asString(sandboxEntry?.value);
    const fix = sandboxValue ? setValue(sandboxValue, '"workspace-write"', 'Use sandbox_mode = "workspace-write"', 'unsafe') : undefined;
    if (approval === 'never') {
      out.push({ range: span(anchor), setting: '`approval_policy = "never"` with `sandbox_mode = "danger-full-access"`', agent: 'Codex', where, effect: 'runs every command unsandboxed and without asking', fix });
    } else if (sandboxEntry) {
      out.push({
        range: span(sandboxEntry),
        setting: '`sandbox_mode = "danger-full-access"`',
        agent: 'Codex',
        where,
        effect: `runs commands with no sandbox, asking only when ${approval === 'untrusted' ? 'a command is not on its trusted list' : 'the model itself decides to'}`,
        severity: 'warning',
        confidence: 'medium',
        fix,
      });
    }
  }
}

function gemini(out: State[], doc: ConfigDocument): void {
  // `tools.autoAccept` (and the v1 top-level `autoAccept`) approves only calls Gemini deems read-only.
  for (const entry of [entryOf(get(doc.root, 'tools'), 'autoAccept'), entryOf(doc.root, 'autoAccept')]) {
    if (entry?.value.kind === 'boolean' && entry.value.value) {
      out.push({ range: span(entry), setting: '`autoAccept: true`', agent: 'Gemini CLI', where: 'This Gemini CLI settings file', effect: 'runs the tool calls it deems safe without asking', severity: 'info', confidence: 'medium', fix: setValue(entry.value, 'false', 'Set autoAccept to false') });
    }
  }
  for (const table of [doc.root, asObject(get(doc.root, 'general')), asObject(get(doc.root, 'tools'))]) {
    for (const key of ['defaultApprovalMode', 'approvalMode']) {
      const entry = entryOf(table, key);
      const value = asString(entry?.value);
      if (entry && value?.value === 'yolo') out.push({ range: span(entry), setting: `\`${key}: "yolo"\``, agent: 'Gemini CLI', where: 'This Gemini CLI settings file', effect: 'approves every tool call', fix: setValue(value, '"default"', `Set ${key} to "default"`) });
    }
  }
  for (const server of asObject(get(doc.root, 'mcpServers'))?.entries ?? []) {
    const trust = entryOf(server.value, 'trust');
    if (trust?.value.kind === 'boolean' && trust.value.value) {
      out.push({ range: span(trust), setting: `\`trust: true\` on MCP server "${server.key}"`, agent: 'Gemini CLI', where: 'This Gemini CLI settings file', effect: "runs that server's tools without asking", severity: 'warning', fix: setValue(trust.value, 'false', 'Set trust to false') });
    }
  }
}

function vscode(out: State[], doc: ConfigDocument): void {
  for (const key of ['chat.tools.global.autoApprove', 'chat.tools.autoApprove']) {
    const entry = settingEntry(doc.root, key);
    if (entry?.value.kind === 'boolean' && entry.value.value) {
      out.push({ range: span(entry), setting: `\`${key}: true\``, agent: 'VS Code agent mode', where: 'This VS Code workspace', effect: 'runs every tool without asking', fix: setValue(entry.value, 'false', `Set ${key} to false`) });
    }
  }
  // The Claude Code extension reads its own settings from VS Code's.
  const mode = settingEntry(doc.root, 'claudeCode.initialPermissionMode');
  const modeValue = asString(mode?.value);
  if (mode && modeValue?.value === 'bypassPermissions') {
    out.push({ range: span(mode), setting: '`claudeCode.initialPermissionMode: "bypassPermissions"`', agent: 'Claude Code', where: 'This VS Code workspace', effect: 'runs every tool without asking', fix: setValue(modeValue, '"default"', 'Set initialPermissionMode to "default"') });
  }
  const allow = settingEntry(doc.root, 'claudeCode.allowDangerouslySkipPermissions');
  if (allow?.value.kind === 'boolean' && allow.value.value) {
    out.push({ range: span(allow), setting: '`claudeCode.allowDangerouslySkipPermissions: true`', agent: 'Claude Code', where: 'This VS Code workspace', effect: 'may be switched to run every tool without asking', severity: 'warning', fix: setValue(allow.value, 'false', 'Set allowDangerouslySkipPermissions to false') });
  }
}

/** Agent CLI switches in an npm script or a VS Code task. Removing them is offered, not applied: a script run without a terminal then stops at the first prompt. */
function commandLine(out: State[], line: CommandLine): void {
  // A process task's flags are separate array items; a shell line holds them in one string.
  if (line.argv && line.argv.length > 0 && line.array) {
    const words = [wholeWord(line.source), ...line.argv.map(wholeWord)];
    for (const sw of agentSwitches([words])) {
      const items = sw.words.map((w) => line.array!.items.find((i) => i === w.source)).filter((i): i is ConfigString => !!i);
      const edits: TextEdit[] | undefined = items.length === sw.words.length ? removeArrayItems(line.array, items) : removeWords(sw.words);
      push(out, line, sw, edits);
    }
  }
  for (const sw of agentSwitches(scriptCommands(line.source))) push(out, line, sw, removeWords(sw.words));
}

function push(out: State[], line: CommandLine, sw: ReturnType<typeof agentSwitches>[number], edits: TextEdit[] | undefined): void {
  const first = wordRange(sw.words[0]);
  const last = wordRange(sw.words[sw.words.length - 1]);
  out.push({
    range: { start: first.start, end: last.end },
    setting: `\`${sw.text}\``,
    agent: sw.agent,
    where: `The ${line.origin}`,
    effect: sw.what,
    switch: true,
    fix: edits && edits.length > 0 ? { title: `Remove ${sw.text}`, applicability: 'unsafe', edits } : undefined,
  });
}
