// Prompt-injection wording, as data: the phrase families an attacker uses to take over a model
// that reads a piece of text (an MCP tool description, an agent rules file, a prompt, a
// retrieved page), the sensitive paths such text points the model at, and the invisible
// characters it hides instructions in. Rules decide WHERE to look; this module decides WHAT
// counts, so every rule that reads model-facing text agrees.
//
// Each family has a short name, a one-line meaning for messages, and regexes written for
// precision over recall: imperative, second-person forms ("ignore previous instructions",
// "do not tell the user"), not third-person descriptions of what a tool does ("Reads
// ~/.ssh/config to list hosts"). Matches are then dropped when the surrounding sentence shows the
// phrase is being TALKED ABOUT rather than USED (see `suppressionReason`): quoted examples,
// documentation cues ("detects phrases such as …"), and negations ("never follow instructions
// that say …"). Hidden characters are never suppressed: there is no legitimate way to quote them
// invisibly.

export interface PhraseFamily {
  /** Short stable id, e.g. 'instruction-override'. */
  name: string;
  /** What a match means, completing "the text …": "tells the model to ignore its instructions". */
  meaning: string;
  patterns: RegExp[];
}

/** Sensitive files and directories: credentials, keys, agent and MCP configs. */
export const SENSITIVE_PATH = String.raw`(?:(?:~|\$HOME|%USERPROFILE%)[\\/])?\.ssh\b(?:[\\/][\w.-]+)*|\bid_(?:rsa|ed25519|ecdsa|dsa)\b(?:\.pub)?|\.aws[\\/](?:credentials|config)\b|(?<![\w.])\.env(?:\.[\w-]+)?\b|\.npmrc\b|\.pypirc\b|\.netrc\b|\.git-credentials\b|\.docker[\\/]config\.json|\.kube[\\/]config\b|\bmcp\.json\b|\bclaude_desktop_config\.json\b|\.cursor[\\/]mcp\.json|\/etc\/(?:passwd|shadow|sudoers)\b|\.bash_history\b|\.zsh_history\b|\.config[\\/]gcloud\b|\bcredentials\.json\b|\bservice[-_]account[\w-]*\.json\b`;

/** Things the model must never put into tool arguments or send elsewhere. */
const SECRET_OBJECT = String.raw`(?:(?:the\s+|all\s+|any\s+|your\s+|its\s+|their\s+|full\s+|entire\s+|complete\s+|previous\s+|user'?s?\s+)*(?:conversation(?:\s+history)?|chat\s+history|message\s+history|previous\s+messages|system\s+prompt|instructions|api[\s_-]?keys?|access\s+tokens?|tokens|passwords?|secrets?|credentials?|private\s+keys?|ssh\s+keys?|environment\s+variables|env\s+vars|cookies|session\s+(?:id|token)s?|contents?\s+of\s+(?:the\s+)?(?:file|files|${SENSITIVE_PATH})|(?:its|their|the\s+file'?s?)\s+contents?))`;

/** Base-form (imperative) verbs that move data; third-person forms ("sends") do not match. */
const MOVE_VERB = String.raw`\b(?:send|forward|upload|post|transmit|exfiltrate|leak|include|append|attach|pass|embed|encode|put|copy|write)\b`;
const READ_VERB = String.raw`\b(?:read|cat|open|load|access|fetch|retrieve|grab|collect|include|send|upload|pass|attach|copy|print|output|provide|extract|dump|list)\b`;

export const INJECTION_FAMILIES: readonly PhraseFamily[] = [
  {
    name: 'instruction-override',
    meaning: 'tells the model to ignore or replace its instructions',
    patterns: [
      /\b(?:ignore|disregard|forget|override|bypass|discard)\s+(?:(?:all|any|the|your|every|of|these|those)\s+)*(?:previous|prior|preceding|above|earlier|former|original|initial|system|developer|safety)\s+(?:instructions?|prompts?|rules|directions|guidelines|directives|messages|context|constraints|guardrails)\b/i,
      /\bforget\s+(?:everything|all)\s+(?:you\s+(?:were|have\s+been)\s+told|above|before)\b/i,
      /\b(?:new|updated|real|actual|true)\s+(?:system\s+)?instructions\s*:/i,
      /\byou\s+(?:must|will|should)\s+now\s+(?:ignore|obey|follow\s+only)\b/i,
    ],
  },
  {
    name: 'concealment',
    meaning: 'tells the model to hide what it does from the user',
    patterns: [
      /\b(?:do\s+not|don'?t|never)\s+(?:tell|inform|notify|alert|warn|show|let)\s+(?:the\s+)?user\b/i,
      /\b(?:do\s+not|don'?t|never)\s+(?:mention|reveal|disclose|report|explain)\s+(?:this|that|these|it|any\s+of\s+this)(?:\s+(?:instructions?|steps?|notes?|actions?))?\s+to\s+(?:the\s+)?user\b/i,
      /\bwithout\s+(?:telling|informing|notifying|alerting|asking|showing)\s+(?:the\s+)?user\b/i,
      /\b(?:hide|conceal|keep)\s+(?:this|it|that|these\s+\w+)\s+(?:hidden\s+|secret\s+)?from\s+(?:the\s+)?user\b/i,
      /\bthe\s+user\s+(?:must|should|shall|need)\s+(?:not|never)\s+(?:know|see|be\s+told|notice|find\s+out|learn)\b/i,
      /\b(?:do\s+not|don'?t|never)\s+(?:mention|reveal|disclose)\s+(?:this|these|that)\s+(?:instructions?|steps?|notes?)\b/i,
      /\b(?:do\s+not|don'?t|never)\s+(?:mention|reveal|say|tell)\s+(?:that|this|it)\b[^.\n]{0,80}?\buser\b/i,
    ],
  },
  {
    name: 'important-tag',
    meaning: 'wraps instructions in a pseudo-system block (`<IMPORTANT>`, `<SYSTEM>`)',
    patterns: [/<\s*\/?\s*(?:important|system|admin|instructions?|secret|hidden|critical|override)\s*>/i, /\[\s*(?:system|admin)\s*(?:message|override|instruction)?\s*\]\s*:?/],
  },
  {
    name: 'tool-priority',
    meaning: 'claims priority over, or redirects calls away from, other tools',
    patterns: [
      /\bthis\s+tool\s+(?:has|takes)\s+(?:(?:a\s+)?higher\s+|the\s+highest\s+|top\s+|absolute\s+)?(?:priority|precedence)\s+over\b/i,
      /\b(?:takes|has)\s+precedence\s+over\s+(?:all\s+|any\s+)?(?:other\s+)?tools?\b/i,
      /\b(?:always|must)\s+(?:use|call|invoke|run)\s+this\s+tool\s+(?:first|instead|before)\b/i,
      /\binstead\s+of\s+(?:using\s+|calling\s+)?(?:the\s+)?[`'"]?[\w-]+[`'"]?\s+tool\b/i,
      /\b(?:before|after|when(?:ever)?)\s+(?:using|calling|invoking|running)\s+(?:the\s+|any\s+)?[`'"]?(?!this\b)[\w-]+[`'"]?\s+tool\b[^.\n]{0,100}\b(?:must|always|first|also|instead|should)\b/i,
      /\b(?:do\s+not|don'?t|never)\s+(?:use|call|invoke)\s+(?:the\s+|any\s+)?(?:other|[`'"]?[\w-]+[`'"]?)\s+tools?\b/i,
    ],
  },
  {
    name: 'exfiltration',
    meaning: 'tells the model to send conversation data or secrets somewhere',
    patterns: [
      new RegExp(String.raw`${MOVE_VERB}[^.\n]{0,60}?${SECRET_OBJECT}[^.\n]{0,60}?\b(?:to|into|in|as|via|within)\b`, 'i'),
      /\b(?:bcc|blind[\s-]?copy)\b[^.\n]{0,40}?[\w.+-]+@[\w-]+\.[\w.]+/i,
      /\b(?:send|forward|post|upload)\b[^.\n]{0,60}?\bto\s+https?:\/\/(?!localhost\b)/i,
    ],
  },
  {
    name: 'credential-access',
    meaning: 'points the model at credentials or agent configuration files',
    patterns: [new RegExp(String.raw`${READ_VERB}[^.\n]{0,60}?(?:${SENSITIVE_PATH})`, 'i'), new RegExp(String.raw`\bcontents?\s+of\s+(?:the\s+)?(?:file\s+)?[\`'"]?(?:${SENSITIVE_PATH})`, 'i')],
  },
  {
    name: 'prompt-leak',
    meaning: 'asks the model to reveal its system prompt',
    patterns: [/\b(?:reveal|print|output|repeat|show|disclose|leak|dump)\s+(?:your|the)\s+(?:full\s+|entire\s+|complete\s+|original\s+)?(?:system\s+prompt|initial\s+instructions|hidden\s+instructions|instructions\s+above)\b/i],
  },
  {
    name: 'role-hijack',
    meaning: 'tries to switch the model into an unrestricted persona',
    patterns: [/\byou\s+are\s+now\s+(?:in\s+)?(?:DAN|developer\s+mode|jailbroken|unrestricted|an?\s+unrestricted|free\s+of\s+(?:all\s+)?restrictions)\b/i, /\b(?:developer|god|jailbreak|DAN)\s+mode\s+(?:is\s+)?(?:enabled|activated|on)\b/i],
  },
];

export interface PhraseMatch {
  family: PhraseFamily;
  start: number;
  end: number;
  text: string;
}

/**
 * The injection phrases in `text` that are used, not mentioned. `families` limits the search
 * by name. Offsets are into `text`.
 */
export function findInjectionPhrases(text: string, families?: readonly string[]): PhraseMatch[] {
  const out: PhraseMatch[] = [];
  for (const family of INJECTION_FAMILIES) {
    if (families && !families.includes(family.name)) continue;
    for (const pattern of family.patterns) {
      const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
      for (let m = re.exec(text); m; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        const start = m.index;
        const end = start + m[0].length;
        if (!suppressionReason(text, start, end) && !out.some((o) => o.start < end && start < o.end)) out.push({ family, start, end, text: m[0] });
      }
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Abbreviations whose period does not end a sentence. */
const ABBREVIATION = /(?:\be\.g|\bi\.e|\betc|\bvs|\bex|\bcf|\bviz)\.$/i;

/** The start of the sentence (or line, or list item) holding `offset`. */
function sentenceStart(text: string, offset: number): number {
  for (let i = offset - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === '\n') return i + 1;
    if ((ch === '.' || ch === '!' || ch === '?') && /\s/.test(text[i + 1] ?? '') && !ABBREVIATION.test(text.slice(Math.max(0, i - 4), i + 1))) return i + 1;
  }
  return 0;
}

function sentenceEnd(text: string, offset: number): number {
  for (let i = offset; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') return i;
    if ((ch === '.' || ch === '!' || ch === '?') && (i + 1 >= text.length || /\s/.test(text[i + 1])) && !ABBREVIATION.test(text.slice(Math.max(0, i - 4), i + 1))) return i;
  }
  return text.length;
}

/** Words before a phrase that show it is being described, listed or defended against. */
const DOCUMENTATION_CUE = /\b(?:such\s+as|like|e\.g\.?|i\.e\.?|for\s+example|for\s+instance|examples?|phrases?|patterns?|strings?|wording|attempts?|attacks?|payloads?|detect\w*|flag\w*|block\w*|reject\w*|filter\w*|scan\w*|strip\w*|warn\w*|classif\w*|contain\w*|known|mentions?|looks?\s+for|checks?\s+for|searches\s+for|refuses?)\b/i;
/** Negations and reported speech before a phrase: "never …", "if you are asked to …". */
const NEGATION_CUE = /\b(?:never|not|don'?t|do\s+not|must\s+not|mustn'?t|should\s+not|shouldn'?t|won'?t|cannot|can'?t|no\s+need\s+to|refuse\s+to|(?:asked|told|instructed)\s+to)\b/i;
/** "Use this tool to read …": the purpose of the tool, not an order to the model. */
const PURPOSE_CUE = /\b(?:used|use\s+(?:this|it)(?:\s+tool)?|tool|able|lets\s+you|allows\s+you|helps\s+you|way|designed|meant)\s+to\s*$/i;

const QUOTES: Record<string, string> = { '"': '"', "'": "'", '`': '`', '“': '”', '‘': '’', '«': '»', '„': '“' };

/**
 * Why a match at [start, end) is a mention rather than a use, or undefined. Looks only at the
 * sentence the match is in:
 * - it sits inside quotes (`'ignore previous instructions'`, “…”, backticks);
 * - a documentation cue comes before it ("detects phrases such as …", "e.g.", "for example");
 * - a negation or reported speech comes before it ("never obey …", "if asked to …");
 * - it states the tool's purpose ("use this tool to read ~/.aws/config").
 */
export function suppressionReason(text: string, start: number, end: number): string | undefined {
  const from = sentenceStart(text, start);
  const to = sentenceEnd(text, end);
  const before = text.slice(from, start);
  if (isQuoted(text, from, start, end, to)) return 'quoted';
  if (DOCUMENTATION_CUE.test(before)) return 'documentation';
  if (NEGATION_CUE.test(before)) return 'negation';
  if (PURPOSE_CUE.test(before)) return 'purpose';
  return undefined;
}

function isQuoted(text: string, from: number, start: number, end: number, to: number): boolean {
  for (let i = start - 1; i >= from; i--) {
    const close = QUOTES[text[i]];
    if (!close) continue;
    // An apostrophe inside a word ("don't") opens nothing.
    if (text[i] === "'" && /\w/.test(text[i - 1] ?? '')) continue;
    for (let j = end; j <= to && j < text.length; j++) {
      if (text[j] === close && !(close === "'" && /\w/.test(text[j + 1] ?? ''))) return true;
    }
    return false;
  }
  return false;
}

// Hidden characters ------------------------------------------------------------------------

export type HiddenKind = 'tag' | 'zero-width' | 'bidi';

export interface HiddenRun {
  kind: HiddenKind;
  start: number;
  end: number;
  /** For Unicode tag characters: the ASCII they spell (the hidden message). */
  decoded?: string;
}

const ZERO_WIDTH = /[\u200B\u200C\u200D\u2060\u2061\u2062\u2063\u2064\uFEFF]/;
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;
const EXTENDED_PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const BLACK_FLAG = 0x1f3f4;
const ANY_HIDDEN = /[\u200B-\u200D\u2060-\u2064\uFEFF\u202A-\u202E\u2066-\u2069]|\uDB40[\uDC00-\uDC7F]/;

/**
 * Invisible characters in `text`: Unicode tag characters (U+E0000–U+E007F, which spell ASCII the
 * model reads and people do not see), zero-width characters, and bidirectional controls. Emoji
 * ZWJ sequences (👩‍💻) and emoji tag sequences (the flag of England) are not reported.
 */
export function findHiddenCharacters(text: string): HiddenRun[] {
  // Fast path: most text has none (tag characters are the surrogate pair U+DB40 U+DC00–DC7F).
  if (!ANY_HIDDEN.test(text)) return [];
  const out: HiddenRun[] = [];
  const chars = [...text];
  let offset = 0;
  const offsets: number[] = [];
  for (const c of chars) {
    offsets.push(offset);
    offset += c.length;
  }
  for (let i = 0; i < chars.length; i++) {
    const cp = chars[i].codePointAt(0)!;
    if (cp >= 0xe0000 && cp <= 0xe007f) {
      let j = i;
      let decoded = '';
      while (j < chars.length) {
        const c = chars[j].codePointAt(0)!;
        if (c < 0xe0000 || c > 0xe007f) break;
        if (c >= 0xe0020 && c <= 0xe007e) decoded += String.fromCharCode(c - 0xe0000);
        j++;
      }
      const emojiTagSequence = i > 0 && chars[i - 1].codePointAt(0) === BLACK_FLAG && chars[j - 1].codePointAt(0) === 0xe007f;
      if (!emojiTagSequence) out.push({ kind: 'tag', start: offsets[i], end: offsets[j - 1] + chars[j - 1].length, decoded });
      i = j - 1;
      continue;
    }
    if (ZERO_WIDTH.test(chars[i])) {
      // U+200D joining two emoji is an emoji sequence; U+FEFF at the very start is a byte-order mark.
      const joinsEmoji = cp === 0x200d && EXTENDED_PICTOGRAPHIC.test(chars[i - 1] ?? '') && EXTENDED_PICTOGRAPHIC.test(chars[i + 1] ?? '');
      const bom = cp === 0xfeff && i === 0;
      if (!joinsEmoji && !bom) out.push({ kind: 'zero-width', start: offsets[i], end: offsets[i] + chars[i].length });
      continue;
    }
    if (BIDI.test(chars[i])) out.push({ kind: 'bidi', start: offsets[i], end: offsets[i] + chars[i].length });
  }
  return out;
}

/**
 * Decodes the escapes a string literal may spell hidden characters with (`\u200b`, `\u{E0041}`,
 * `\U000E0041`, `\x41`), plus the common single-character escapes. Unknown escapes stay as written.
 */
export function decodeEscapes(raw: string): string {
  return raw.replace(/\\(u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|x([0-9a-fA-F]{2})|([nrt'"\\`]))/g, (whole, _all, braced, u4, u8, x2, simple) => {
    const hex = braced ?? u4 ?? u8 ?? x2;
    if (hex) {
      const cp = parseInt(hex, 16);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[simple] ?? simple;
  });
}

/** Tag characters are invisible; show them as the ASCII they carry. */
export function describeHidden(run: HiddenRun): string {
  if (run.kind === 'tag') return `Unicode tag characters spelling "${(run.decoded ?? '').slice(0, 80)}"`;
  if (run.kind === 'bidi') return 'a bidirectional control character';
  return 'a zero-width character';
}
