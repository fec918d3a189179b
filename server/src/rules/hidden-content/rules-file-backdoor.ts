import { defineRule, type TextDetection } from '../../engine/rule';
import type { Confidence, Severity } from '../../engine/types';
import { TAG_CHARACTER, truncate, visibleText } from '../unicode';

type Category = 'remote-code' | 'exfiltration' | 'concealment' | 'agent-config';

interface State extends TextDetection {
  category: Category;
  phrase: string;
  /** The instruction is written in tag characters ('invisible') or broken up by zero-width ones ('split'). */
  hidden?: 'invisible' | 'split';
}

// ---------------------------------------------------------------------------------------------
// Statements: the units an instruction lives in. Markdown structure decides which ones are
// documentation (a "Never do this" section, a quoted example in a security section) rather
// than instructions.

interface Statement {
  start: number;
  end: number;
  /** Under a heading that lists prohibitions ("Forbidden", "Never", "Don'ts"): nothing here is an instruction to act. */
  prohibited: boolean;
  /** Under a security heading: code spans, quotes and fences there are examples, prose is still read. */
  security: boolean;
  /** A fenced code line, a blockquote. */
  quoted: boolean;
  /** The lead-in line of the list or fence this statement belongs to (`Never run these:`). */
  lead: string;
}

const FENCE = /^\s{0,3}(```|~~~)/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*)$/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+/;
const PROHIBITION_HEADING = /\b(?:forbid\w*|prohibit\w*|never|don'?ts?|do not|must not|avoid|not allowed|disallow\w*|banned|anti-?patterns?|what not to|red flags?|dangerous)\b/i;
const SECURITY_HEADING = /\b(?:security|safety|threats?|attacks?|malicious|prompt[- ]injection|guardrails?|red[- ]team\w*|incident|abuse)\b/i;

function statements(text: string): Statement[] {
  const out: Statement[] = [];
  const headings: { level: number; prohibited: boolean; security: boolean }[] = [];
  let inFence = false;
  let fenceLead = '';
  // The prose paragraph before a list or fence, when it ends with a colon ("Never run these:").
  let lead = '';
  let paragraph: { start: number; end: number; list: boolean } | undefined;
  const section = () => ({ prohibited: headings.some((h) => h.prohibited), security: headings.some((h) => h.security) });
  const push = (start: number, end: number, quoted: boolean, statementLead: string) => out.push({ start, end, ...section(), quoted, lead: statementLead });
  const flush = () => {
    if (!paragraph) return;
    const { start, end, list } = paragraph;
    paragraph = undefined;
    // Sentences end at . ! ? followed by whitespace and a capital, quote or markup.
    const body = text.slice(start, end);
    let from = 0;
    for (const m of body.matchAll(/[.!?](?=\s+[A-Z`"'*_(<\[])/g)) {
      push(start + from, start + m.index! + 1, false, list ? lead : '');
      from = m.index! + 1;
    }
    push(start + from, end, false, list ? lead : '');
    if (!list) lead = /:\s*$/.test(body) ? body.replace(/\([^)]*\)/g, ' ') : '';
  };
  let offset = 0;
  for (const raw of text.split('\n')) {
    const start = offset;
    const end = start + raw.length;
    offset = end + 1;
    const line = raw.replace(/\r$/, '');
    if (FENCE.test(line)) {
      flush();
      if (!inFence) fenceLead = lead;
      inFence = !inFence;
      continue;
    }
    if (inFence) {
      push(start, end, true, fenceLead);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const level = heading[1].length;
      while (headings.length && headings[headings.length - 1].level >= level) headings.pop();
      headings.push({ level, prohibited: PROHIBITION_HEADING.test(heading[2]), security: SECURITY_HEADING.test(heading[2]) });
      push(start, end, false, '');
      lead = '';
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (/^\s*>/.test(line)) {
      flush();
      push(start, end, true, lead);
      continue;
    }
    if (LIST_ITEM.test(line)) {
      flush();
      paragraph = { start, end, list: true };
    } else if (paragraph) {
      paragraph.end = end;
    } else {
      lead = '';
      paragraph = { start, end, list: false };
    }
  }
  flush();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Negation: "never run curl | sh", "sending .env anywhere is forbidden", "watch out for rules
// that tell you to …" describe what not to do.

const NEGATION =
  /\b(?:never|not|no|nor|don'?t|doesn'?t|won'?t|cannot|can'?t|mustn'?t|shouldn'?t|avoid\w*|forbid\w*|prohibit\w*|disallow\w*|refuse|reject|decline|block|prevent\w*|warn|flag|detect\w*|beware|careful|caution|malicious|attacks?|attackers?|attempts?|suspicious|untrusted|examples?|e\.g\.|such as|for instance|instead of|rather than|unless|except|stop|deny|denied|bad|wrong|insecure|unsafe|risky|dangerous|asks? you to|tells? you to)\b/i;
// Phrases with a negative word that still mean "do it".
const AFFIRMATIVE = /\b(?:don'?t|do not|never|not)\s+(?:forget|fail|hesitate)\b|\bnot only\b|\bno need to\b|\bno matter\b|\bwithout fail\b/gi;
// Where a new clause starts (a negation before it does not reach past it).
const CLAUSE_BREAK = /;|[,:]\s*(?:and|but|then|also|however|afterwards|after that|finally|next|instead|additionally|plus)\b|\b(?:and then|and also|but also|then|always)\b/gi;
const NEGATED_AFTER =
  /^[^.;]{0,80}?\b(?:is|are|was|were|be)\s+(?:strictly\s+|absolutely\s+|always\s+)?(?:forbidden|prohibited|not allowed|disallowed|banned|never (?:allowed|ok|okay|acceptable)|not permitted|off[- ]limits|a red flag|dangerous|unsafe|malicious)\b/i;

function negated(s: string, start: number, end: number): boolean {
  let prefix = s.slice(0, start);
  let cut = 0;
  for (const m of prefix.matchAll(CLAUSE_BREAK)) cut = m.index! + m[0].length;
  prefix = prefix.slice(cut).replace(AFFIRMATIVE, ' ');
  return NEGATION.test(prefix) || NEGATED_AFTER.test(s.slice(end));
}

/** Inside a `code span` or "quotes" of the statement (an example being discussed). */
function inQuote(s: string, at: number): boolean {
  const before = s.slice(0, at);
  return (before.split('`').length - 1) % 2 === 1 || (before.split('"').length - 1) % 2 === 1;
}

// ---------------------------------------------------------------------------------------------
// Triggers

interface Trigger {
  category: Category;
  re: RegExp;
  /** Extra condition on the match, the statement text and its lead-in. */
  when?: (m: RegExpExecArray, s: string, lead: string, ctx: { rules: boolean }) => boolean;
  severity?: (m: RegExpExecArray, s: string) => { severity: Severity; confidence: Confidence } | undefined;
  /** The part of the match to report, when the pattern reads further than the phrase (for context checks). */
  trim?: RegExp;
  /** A cheap literal test that must pass before the pattern runs (most statements fail it). */
  hint?: RegExp;
  /** Runs only on statements that name a secret or a sensitive file. */
  needsSource?: boolean;
}

/** Installers of widely used tools, served from their projects' own domains. */
const KNOWN_INSTALLERS = [
  'astral.sh/',
  'sh.rustup.rs',
  'bun.sh/install',
  'deno.land/install',
  'get.pnpm.io/',
  'install.python-poetry.org',
  'get.docker.com',
  'raw.githubusercontent.com/Homebrew/install/',
  'raw.githubusercontent.com/nvm-sh/nvm/',
  'pyenv.run',
  'www.npmjs.com/install.sh',
  'community.chocolatey.org/install.ps1',
  'chocolatey.org/install.ps1',
  'ollama.com/install.sh',
];
/** Package indexes of the ecosystems themselves (PyTorch's wheel index is the documented way to pick a CUDA build). */
const KNOWN_INDEXES = ['pypi.org/', 'files.pythonhosted.org/', 'download.pytorch.org/', 'pypi.nvidia.com', 'registry.npmjs.org', 'registry.yarnpkg.com'];

const urlIn = (s: string) => /\bhttps?:\/\/([^\s"'`)>]+)/i.exec(s)?.[1];
const trusted = (url: string | undefined, list: string[]) => url !== undefined && list.some((p) => url.toLowerCase().startsWith(p.toLowerCase()));

const INSERT_VERB = /\b(?:add|adds|adding|include|including|insert|inserting|inject|injecting|append|prepend|embed|put|place|load|import|require|use)\b/i;
const FETCHERS = String.raw`(?:curl|wget|iwr|irm|invoke-webrequest|invoke-restmethod)`;
const SHELLS = String.raw`(?:(?:ba|z|k|da|fi)?sh|python[0-9.]*|node|perl|ruby|php|iex|invoke-expression|pwsh|powershell)`;

const SOURCE =
  String.raw`(?:\.env\b(?:\.\w+)?|~\/\.ssh\b|\.ssh\/|\bid_(?:rsa|ed25519|ecdsa)\b|\.aws\/credentials|\.npmrc\b|\.pypirc\b|\.netrc\b|\.git-credentials\b|\.docker\/config\.json|\.kube\/config|\/etc\/(?:passwd|shadow)\b|\b(?:api[ _-]?keys?|secret[ _-]?keys?|secrets|access[ _-]?tokens?|auth(?:entication)?[ _-]?tokens?|bearer[ _-]?tokens?|credentials?|passwords?|private[ _-]?keys?|ssh[ _-]?keys?|session[ _-]?(?:cookies?|tokens?)|cookies|environment[ _-]?variables|env[ _-]?vars|process\.env|os\.environ|seed[ _-]?phrases?|mnemonics?|wallet[ _-]?keys?|keychain)\b|\b[A-Z][A-Z0-9]*_(?:API_KEY|TOKEN|SECRET|PASSWORD|ACCESS_KEY)\b)`;
const SOURCE_RE = new RegExp(SOURCE, 'i');
const DESTINATION =
  String.raw`(?:https?:\/\/[^\s"'\x60)>]*|\bwebhooks?\b|\b(?:remote|external|third[- ]party|attacker'?s?|my|our|this)\s+(?:server|endpoint|url|host|api|service|domain|collector)\b|\bngrok\b|\bpastebin\b|\brequestbin\b|\binteract\.sh\b|\b(?:query|url)[ _-]?(?:string|param(?:eter)?s?)\b|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|io|xyz|ru|cn|site|app|dev|me|cc|tk|top)\b|\b[\w.+-]+@[\w-]+\.[a-z]{2,})`;
const SEND_VERB = String.raw`\b(?:send|sends|sending|post|posting|upload|uploading|transmit|transmitting|forward|forwarding|exfiltrate|exfiltrating|leak|leaking|beacon|submit|submitting|e-?mail|mail|pipe|paste|share|sharing)\b`;
const ATTACH_VERB = String.raw`\b(?:include|append|attach|embed|add|put)\b`;
const INTO_URL = String.raw`(?:\b(?:query|url)[ _-]?(?:string|param(?:eter)?s?)\b|\b(?:image|img)\s+(?:url|link|src)\b|!\[|\bthe url\b)`;

const HIDE_OBJECT = String.raw`(?:change|changes|modification|modifications|edit|edits|addition|additions|step|steps|action|actions|script|scripts|import|imports|dependency|dependencies|line|lines|code|command|commands|update|updates|request|requests|file|files|tag|tags|snippet|payload|behaviou?r|upload|call|calls)`;
const HIDE_OBJECT_RULES = String.raw`(?:instruction|instructions|rule|rules|directive|directives)`;
const HIDE_NEGATION = String.raw`\b(?:do not|don'?t|never|must not|mustn'?t|should not|shouldn'?t|no need to|without)`;
const HIDE_RECIPIENT = String.raw`(?:users?|developers?|reviewers?|humans?|anyone|anybody|them|people|team|maintainers?|owners?|customers?)`;
const ACT_VERB = String.raw`(?:add|adds|insert|inject|include|modify|change|edit|update|install|run|execute|send|upload|post|write|remove|delete|commit|push|append|import|download|fetch|call|exfiltrate|copy|replace|overwrite|disable|enable)`;

const CONFIG_TARGET =
  /(?:\.cursor\/mcp\.json|\.vscode\/(?:settings|mcp|tasks)\.json|\.claude\/settings(?:\.local)?\.json|claude_desktop_config\.json|\.mcp\.json|\.gemini\/settings\.json|\.codex\/config\.toml|\.windsurf\/mcp\w*\.json|mcp_config\.json|cline_mcp_settings\.json|\bchat\.tools\.(?:global\.)?autoApprove\b|\bautoApprove\b|\balwaysAllow\b|\bauto[ -]?approv(?:e|al)\b|\byolo[ -]?mode\b|\bbypassPermissions\b|dangerously-?skip-?permissions|--dangerously-bypass-approvals-and-sandbox|\ballowedTools\b|\bpermissions\.allow\b|\b(?:vs ?code|editor|cursor|claude|copilot|user)\b[^\n]{0,30}\bsettings\.json\b)/i;
const CONDITIONAL_VERB = new RegExp(String.raw`\b(?:if|when|whenever|once|after|before|unless)\s+(?:(?:you|we|someone|anyone|they|a user)\s+)?(?:\w+\s+)?(?:add|adds|adding|edit|edits|editing|modify|modifies|modifying|update|updates|updating|write|writing|change|changes|changing|set|setting|enable|enabling|create|creating|touch|touching)\b`, 'gi');
const unconditional = (s: string) => s.replace(CONDITIONAL_VERB, ' ');
const CONFIG_VERB = /\b(?:add|adds|adding|edit|editing|modify|modifying|update|updating|write|writing|change|changing|set|setting|enable|enabling|create|creating|append|appending|insert|inserting|overwrite|overwriting|replace|replacing|register|configure|turn on|switch on|put|patch|toggle|grant)\b/i;

const TRIGGERS: Trigger[] = [
  // Remote code: pipe a download into an interpreter, or run it through command substitution.
  {
    category: 'remote-code',
    hint: /curl|wget|\bi[wr]r\b|invoke-/i,
    re: new RegExp(String.raw`\b${FETCHERS}\b[^|\n]{0,300}?\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+)?${SHELLS}\b`, 'gi'),
    // Only with an address: "curl|bash" alone names the pattern, it does not instruct anything.
    when: (m) => /https?:\/\/|\b[\w-]+\.[a-z]{2,}\//i.test(m[0]) && !trusted(urlIn(m[0]), KNOWN_INSTALLERS),
  },
  {
    category: 'remote-code',
    hint: /curl|wget/i,
    re: new RegExp(String.raw`\b(?:(?:ba|z|k|da)?sh|eval|source|\.)\s+(?:-c\s+)?["']?(?:\$\(|<\(|\`)\s*${FETCHERS}\b[^)\`\n]*`, 'gi'),
    when: (m) => !trusted(urlIn(m[0]), KNOWN_INSTALLERS),
  },
  {
    category: 'remote-code',
    hint: /\biex\b|invoke-expression/i,
    re: /\b(?:iex|invoke-expression)\b\s*\(?\s*(?:\(?\s*new-object\s+(?:system\.)?net\.webclient\s*\)?\.downloadstring|iwr|irm|invoke-webrequest|invoke-restmethod)\b[^\n]{0,120}/gi,
    when: (m) => !trusted(urlIn(m[0]), KNOWN_INSTALLERS),
  },
  // Remote script tags and imports the agent is told to add to what it writes.
  {
    category: 'remote-code',
    hint: /<script|<iframe|import|require\(/i,
    re: /<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?\/\/[^\s"'>]+|<iframe\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?\/\/[^\s"'>]+|\bimport\s*\(?\s*["'`]https?:\/\/[^\s"'`]+|\brequire\(\s*["'`]https?:\/\/[^\s"'`]+/gi,
    when: (_m, s, lead) => INSERT_VERB.test(s) || INSERT_VERB.test(lead),
  },
  { category: 'remote-code', hint: /tracking|analytics/i, re: /\b(?:add|include|insert|inject|embed)\b[^\n]{0,60}\b(?:tracking|analytics)\s+(?:pixel|snippet|script|beacon)s?\b/gi },
  // Dependencies from outside the package index: URLs (tarballs included), git, other registries.
  {
    category: 'remote-code',
    hint: /https?:|git\+|github:|gitlab:|bitbucket:|index-url|--registry|\s-i\s/i,
    re: /\b(?:pip3?|uv\s+pip|uv|poetry|pipx|npm|pnpm|yarn|bun|gem|cargo|go)\s+(?:install|add|i|get)\b[^\n;&|]*?(?:\s|=)(?:git\+\S+|(?:github|gitlab|bitbucket):\S+|https?:\/\/\S+|--(?:extra-)?index-url(?:\s+|=)\S+|-i\s+https?:\/\/\S+|--registry(?:\s+|=)\S+)/gi,
    when: (m) => !trusted(urlIn(m[0]), KNOWN_INDEXES),
    // Installing a fork straight from GitHub is common in ML projects: worth a look, not an alarm.
    severity: (m) => (/\b(?:git\+https:\/\/github\.com\/|github:)/i.test(m[0]) && !/--(?:extra-)?index-url/i.test(m[0]) ? { severity: 'warning', confidence: 'medium' } : undefined),
  },
  { category: 'remote-code', hint: /npx|dlx|bunx|uvx/i, re: /\b(?:npx|pnpm\s+dlx|bunx)\s+(?:-y\s+|--yes\s+)?(?:https?:\/\/|github:|git\+)\S+|\buvx\s+--from\s+(?:git\+|https?:\/\/)\S+/gi },
  // Exfiltration: send a secret somewhere, or put it into a URL.
  { category: 'exfiltration', needsSource: true, re: new RegExp(String.raw`${SEND_VERB}[^\n]{0,40}?${SOURCE}[^\n]{0,160}?${DESTINATION}`, 'gi') },
  {
    category: 'exfiltration',
    needsSource: true,
    re: new RegExp(String.raw`${SOURCE}[^\n]{0,100}?${SEND_VERB}\s+(?:it|them|this|that|those|these|its\s+\w+|their\s+\w+|the\s+(?:contents?|values?|files?|data|output|results?|keys?|tokens?))\b[^\n]{0,120}?${DESTINATION}`, 'gi'),
  },
  { category: 'exfiltration', needsSource: true, re: new RegExp(String.raw`${ATTACH_VERB}[^\n]{0,40}?${SOURCE}[^\n]{0,80}?${INTO_URL}`, 'gi') },
  { category: 'exfiltration', hint: /exfiltrat/i, re: new RegExp(String.raw`\bexfiltrat\w*\b[^\n]{0,120}?${SOURCE}|${SOURCE}[^\n]{0,120}?\bexfiltrat\w*`, 'gi') },
  {
    category: 'exfiltration',
    hint: /curl/,
    re: /\bcurl\b[^\n|]*?(?:\s-d|\s--data(?:-binary|-raw|-urlencode)?|\s-F|\s--form|\s-T|\s--upload-file)[\s=]*["']?@?[^\s"']*?(?:\.env\b|\.ssh\/|id_rsa|\.aws\/credentials|\.npmrc|\.netrc|\$\(\s*(?:cat|env|printenv)\b|\$\{?[A-Z_]*(?:KEY|TOKEN|SECRET|PASSWORD))/g,
  },
  { category: 'exfiltration', hint: /\|\s*(?:base64\s*\|\s*)?(?:curl|wget|nc|ncat|netcat)\b/, re: new RegExp(String.raw`\b(?:cat|type|printenv|env)\b(?:[^|\n]{0,80}?${SOURCE})?[^|\n]{0,40}\|\s*(?:base64\s*\|\s*)?(?:curl|wget|nc|ncat|netcat)\b`, 'g') },
  // Concealment: keep the user from seeing what was done. Telling verbs need the person kept in
  // the dark ("don't tell the user"); mentioning verbs need the thing hidden ("do not mention
  // this change"), so "if you don't tell it a version" stays quiet.
  {
    category: 'concealment',
    hint: /\b(?:tell|inform|notify|alert|warn)/i,
    re: new RegExp(String.raw`${HIDE_NEGATION}\s+(?:ever\s+)?(?:tell|inform|notify|alert|warn)(?:ing)?\s+(?:the\s+)?${HIDE_RECIPIENT}\b[^\n]{0,60}`, 'gi'),
    when: (m, _s, _lead, ctx) => ctx.rules || new RegExp(String.raw`\b${HIDE_OBJECT}\b`, 'i').test(m[0]),
    trim: new RegExp(String.raw`^[^\n]*?\b${HIDE_RECIPIENT}\b`, 'i'),
  },
  {
    category: 'concealment',
    hint: /\b(?:not|don'?t|never|no need to|without|mustn'?t|shouldn'?t)\b/i,
    re: new RegExp(
      String.raw`${HIDE_NEGATION}\s+(?:ever\s+)?(?:mention(?:ing)?|disclos(?:e|ing)|reveal(?:ing)?|report(?:ing)?|show(?:ing)?|explain(?:ing)?|acknowledg(?:e|ing)|document(?:ing)?|list(?:ing)?|bring(?:ing)? up|draw(?:ing)? attention to)\b[^\n]{0,40}?\b(?:this|these|the|that|those|such|any|your)\s+(?:\w+\s+)?(?:${HIDE_OBJECT}|${HIDE_OBJECT_RULES})\b`,
      'gi',
    ),
    // Prompt templates routinely keep their own instructions confidential; rules files have no reason to.
    when: (m, _s, _lead, ctx) => ctx.rules || new RegExp(String.raw`\b${HIDE_OBJECT}\b\s*$`, 'i').test(m[0]),
  },
  { category: 'concealment', hint: /without/i, re: /\bwithout\s+(?:telling|informing|notifying|alerting|letting\s+(?:\w+\s+)?know|mentioning\s+(?:it\s+)?to)\s+(?:the\s+)?(?:user|developer|human|reviewer|anyone|them|team)\b|\bwithout\s+(?:the\s+)?(?:user|developer|anyone)(?:'s)?\s+(?:knowing|noticing|knowledge)\b/gi },
  { category: 'concealment', hint: /silently|quietly|secretly|covertly|stealthily|discreetly|invisibly|surreptitiously/i, re: new RegExp(String.raw`\b(?:silently|quietly|secretly|covertly|stealthily|discreetly|invisibly|surreptitiously)\s+(?:(?:also|then|just|always|go and)\s+)?${ACT_VERB}\b`, 'gi') },
  // After the verb only the unambiguous adverbs: "installs silently" and "fails silently" describe output, not secrecy.
  { category: 'concealment', hint: /secretly|covertly|stealthily|surreptitiously/i, re: new RegExp(String.raw`\b${ACT_VERB}\b[^\n]{0,40}?\b(?:secretly|covertly|stealthily|surreptitiously)\b`, 'gi') },
  {
    category: 'concealment',
    hint: /hide|omit|exclude|remove|strip|leave out/i,
    re: /\bhide\s+(?:\w+\s+){0,4}?from\s+(?:the\s+)?(?:user|developer|human|reviewer|diff|summary|output)s?\b|\b(?:omit|exclude|remove|strip|leave out)\s+(?:it|this|them|these|that|any mention(?:\s+of\s+\w+)?|(?:the|this|these|that)\s+(?:change|changes|script|line|lines|import|step|addition|edit))\s+from\s+(?:the\s+|your\s+)?(?:summary|diff|response|reply|output|answer|explanation|commit message|changelog|pr description|pull request)\b/gi,
  },
  { category: 'concealment', hint: /pretend|act as if|claim|say/i, re: /\b(?:pretend|act as if|claim|say)\s+(?:that\s+)?(?:nothing|no changes?|no files?)\s+(?:was|were|has|have|is|are)\b/gi },
  // Agent configuration: servers, auto-approval, permissions; and copying the rules elsewhere.
  {
    category: 'agent-config',
    re: new RegExp(CONFIG_TARGET.source, 'gi'),
    // "If you modify .vscode/settings.json, …" and "ask before changing it" are not instructions to edit.
    when: (_m, s, lead) => CONFIG_VERB.test(unconditional(s)) || CONFIG_VERB.test(unconditional(lead)) || /"(?:chat\.tools\.(?:global\.)?autoApprove|autoApprove|alwaysAllow)"\s*:\s*(?:true|\[)/i.test(s),
    // Editor settings in general deserve a look; MCP servers and approval switches are the escalation.
    severity: (m, s) => (/settings\.json|tasks\.json/i.test(m[0]) && !/approv|alwaysAllow|permission|yolo|mcp/i.test(s) ? { severity: 'warning', confidence: 'medium' } : undefined),
  },
  {
    category: 'agent-config',
    hint: /repo|project|rules|agents\.md|claude\.md|copilot|files?\b/i,
    re: /\b(?:copy|append|add|write|insert|propagate|replicate|paste)\b[^\n]{0,60}\b(?:these|this|the following|the above)\s+(?:instructions?|rules?|lines?|text|block|section|prompt)\b[^\n]{0,80}\b(?:into|to|in)\b[^\n]{0,40}\b(?:every|other|all|any|each)\b[^\n]{0,40}\b(?:repos?|repositor(?:y|ies)|projects?|rules files?|\.cursorrules|agents\.md|claude\.md|copilot-instructions\.md|files?)\b/gi,
  },
];

const WHAT: Record<Category, string> = {
  'remote-code': 'to run or add code fetched from the network',
  exfiltration: 'to send local secrets or files to a remote destination',
  concealment: 'to hide what it does from the user',
  'agent-config': "to change the agent's own configuration or permissions",
};

const WHY: Record<Category, string> = {
  'remote-code': 'whoever controls that address decides what the agent executes or ships.',
  exfiltration: 'anyone who can edit this file (a pull request, a dependency, a poisoned template) gets the secrets.',
  concealment: 'no legitimate project rule needs changes kept from the person reviewing them; this is the signature of a rules-file backdoor.',
  'agent-config': 'an instruction file that edits MCP servers or auto-approval settings lets injected text grant itself more power (as in CVE-2025-53773).',
};

export default defineRule<State>({
  meta: {
    id: 'rules-file-backdoor',
    group: 'hidden-content',
    title: 'Agent instruction file tells the agent to run remote code, leak secrets, hide changes or edit its own config',
    severity: 'error',
    status: 'stable',
    fix: 'none',
    cwe: [506, 912],
    owasp: ['LLM01', 'LLM03'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm01-prompt-injection/',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
      'https://cwe.mitre.org/data/definitions/506.html',
      'https://cwe.mitre.org/data/definitions/912.html',
      'https://www.pillar.security/blog/new-vulnerability-in-github-copilot-and-cursor-how-hackers-can-weaponize-code-agents',
      'https://nvd.nist.gov/vuln/detail/CVE-2025-53773',
    ],
  },
  languages: ['markdown', 'text', 'yaml', 'json', 'toml'],
  fileKinds: ['rules', 'prompt'],
  checkFile(ctx) {
    // What the model reads: tag characters decoded, zero-width characters dropped. For files
    // without hidden characters this is the text itself.
    const visible = visibleText(ctx.text);
    const text = visible.text;
    const rules = ctx.kinds.has('rules');
    const found: State[] = [];
    for (const st of statements(text)) {
      if (st.prohibited) continue;
      // Newlines inside a paragraph are spaces: an instruction may wrap.
      const s = text.slice(st.start, st.end).replace(/[\r\n]/g, ' ');
      const seen = new Set<Category>();
      let hasSource: boolean | undefined;
      for (const t of TRIGGERS) {
        if (seen.has(t.category) || (t.hint && !t.hint.test(s))) continue;
        if (t.needsSource && !(hasSource ??= SOURCE_RE.test(s))) continue;
        t.re.lastIndex = 0;
        let m: RegExpExecArray | null;
        while ((m = t.re.exec(s))) {
          if (m[0].length === 0) {
            t.re.lastIndex++;
            continue;
          }
          const at = m.index;
          if (t.when && !t.when(m, s, st.lead, { rules })) continue;
          if (negated(s, at, at + m[0].length) || (st.lead && NEGATION.test(st.lead.replace(AFFIRMATIVE, ' ')))) continue;
          if (st.security && (st.quoted || inQuote(s, at))) continue;
          const phrase = (t.trim && t.trim.exec(m[0])?.[0]) || m[0];
          const from = st.start + at;
          const to = from + phrase.length;
          const range = { start: visible.original(from), end: visible.original(to) };
          const hidden = !visible.hiddenIn(from, to) ? undefined : TAG_CHARACTER.test(ctx.text.slice(range.start, range.end)) ? 'invisible' : 'split';
          found.push({ range, category: t.category, phrase: phrase.trim(), hidden, ...t.severity?.(m, s) });
          seen.add(t.category);
          break;
        }
      }
    }
    return found;
  },
  message(s, ctx) {
    const file = ctx.kinds.has('rules') ? 'This agent instruction file' : 'This prompt file';
    const hidden =
      s.hidden === 'invisible'
        ? ' The instruction is written in invisible characters, so reviewers never saw it.'
        : s.hidden === 'split'
          ? ' Invisible characters break up its words, which hides it from keyword searches and filters.'
          : '';
    return `${file} tells the agent ${WHAT[s.category]} ("${truncate(s.phrase.replace(/\s+/g, ' '), 100)}"): ${WHY[s.category]}${hidden} Remove the instruction unless your team wrote it on purpose, and review recent changes made with this file in place.`;
  },
});
