// Character classes for hidden content: Unicode tag characters, invisible format characters,
// bidirectional controls, and the contexts that make some of them legitimate (emoji sequences,
// right-to-left and joining scripts, ideographic variation). The hidden-content rules use it,
// and so can any rule that inspects text a model reads (MCP tool descriptions, prompts).
//
// Every scan runs these checks on every file, so each entry point starts with one regex test
// that fails fast on ordinary text; the per-character work runs only on the candidates it finds.
// Regexes here work on UTF-16 code units (no `u` flag) unless they test script properties, so
// astral characters are matched as their surrogate pairs.
//
// Unicode facts used below: the Tags block (U+E0000–U+E007F) mirrors ASCII at +0xE0000 and is
// only valid in emoji tag sequences (UTS #51 ED-14a); variation selectors are valid once, after
// a base listed in StandardizedVariants / emoji-variation-sequences / the Ideographic Variation
// Database; ZWJ/ZWNJ are required by Arabic, Indic and other joining scripts (Unicode §23.2);
// the bidi controls are the embeddings, overrides and isolates of UAX #9 (Trojan Source,
// CVE-2021-42574, uses them to reorder code as displayed).
import { hasGrammar } from '../engine/files';
import type { RuleContext } from '../engine/rule';
import type { TextEdit } from '../engine/types';

// ---------------------------------------------------------------------------------------------
// Code points

/** The code point at a UTF-16 offset (undefined past the end). */
export function codePointAt(text: string, i: number): number | undefined {
  return i >= 0 && i < text.length ? text.codePointAt(i) : undefined;
}

/** The code point that ends just before a UTF-16 offset (undefined at the start). */
export function codePointBefore(text: string, i: number): number | undefined {
  if (i <= 0) return undefined;
  const low = text.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
    const high = text.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return low;
}

export function utf16Length(cp: number): number {
  return cp > 0xffff ? 2 : 1;
}

export function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

const NAMES: Record<number, string> = {
  0x00ad: 'SOFT HYPHEN',
  0x034f: 'COMBINING GRAPHEME JOINER',
  0x061c: 'ARABIC LETTER MARK',
  0x115f: 'HANGUL CHOSEONG FILLER',
  0x1160: 'HANGUL JUNGSEONG FILLER',
  0x17b4: 'KHMER VOWEL INHERENT AQ',
  0x17b5: 'KHMER VOWEL INHERENT AA',
  0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2060: 'WORD JOINER',
  0x2061: 'FUNCTION APPLICATION',
  0x2062: 'INVISIBLE TIMES',
  0x2063: 'INVISIBLE SEPARATOR',
  0x2064: 'INVISIBLE PLUS',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0x3164: 'HANGUL FILLER',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE',
  0xffa0: 'HALFWIDTH HANGUL FILLER',
  0xe0001: 'LANGUAGE TAG',
  0xe007f: 'CANCEL TAG',
};

/** `U+200B ZERO WIDTH SPACE`, with a generic name for ranges without a table entry. */
export function codePointName(cp: number): string {
  let name = NAMES[cp];
  if (!name) {
    if (cp >= 0xfe00 && cp <= 0xfe0f) name = `VARIATION SELECTOR-${cp - 0xfe00 + 1}`;
    else if (cp >= 0xe0100 && cp <= 0xe01ef) name = `VARIATION SELECTOR-${cp - 0xe0100 + 17}`;
    else if (cp >= 0xe0000 && cp <= 0xe007f) name = 'TAG CHARACTER';
    else if (cp >= 0x206a && cp <= 0x206f) name = 'DEPRECATED FORMAT CHARACTER';
    else if (cp >= 0xfff9 && cp <= 0xfffb) name = 'INTERLINEAR ANNOTATION CHARACTER';
    else if (cp >= 0x1d173 && cp <= 0x1d17a) name = 'MUSICAL SYMBOL FORMAT CHARACTER';
    else name = 'FORMAT CHARACTER';
  }
  return `U+${hex(cp)} ${name}`;
}

/** Short names for messages that show where bidi controls sit in a line. */
export const BIDI_ABBREVIATIONS: Record<number, string> = {
  0x202a: 'LRE',
  0x202b: 'RLE',
  0x202c: 'PDF',
  0x202d: 'LRO',
  0x202e: 'RLO',
  0x2066: 'LRI',
  0x2067: 'RLI',
  0x2068: 'FSI',
  0x2069: 'PDI',
};

// ---------------------------------------------------------------------------------------------
// Scripts and emoji (property regexes need the `u` flag; they run on single characters only)

const RTL_SCRIPTS =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}\p{Script=Yezidi}\p{Script=Mende_Kikakui}\p{Script=Imperial_Aramaic}\p{Script=Phoenician}\p{Script=Kharoshthi}\p{Script=Avestan}\p{Script=Manichaean}\p{Script=Psalter_Pahlavi}\p{Script=Old_South_Arabian}]/u;

// Scripts whose shaping uses ZWJ/ZWNJ: cursive (Arabic, Syriac, N'Ko, Mongolian…) and Brahmic
// (conjuncts and half forms) scripts. Script_Extensions covers shared marks such as the tatweel.
const JOINING_SCRIPTS =
  /[\p{Script_Extensions=Arabic}\p{Script_Extensions=Syriac}\p{Script_Extensions=Nko}\p{Script_Extensions=Mongolian}\p{Script_Extensions=Mandaic}\p{Script_Extensions=Manichaean}\p{Script_Extensions=Psalter_Pahlavi}\p{Script_Extensions=Adlam}\p{Script_Extensions=Hanifi_Rohingya}\p{Script_Extensions=Hebrew}\p{Script_Extensions=Devanagari}\p{Script_Extensions=Bengali}\p{Script_Extensions=Gurmukhi}\p{Script_Extensions=Gujarati}\p{Script_Extensions=Oriya}\p{Script_Extensions=Tamil}\p{Script_Extensions=Telugu}\p{Script_Extensions=Kannada}\p{Script_Extensions=Malayalam}\p{Script_Extensions=Sinhala}\p{Script_Extensions=Tibetan}\p{Script_Extensions=Myanmar}\p{Script_Extensions=Khmer}\p{Script_Extensions=Thai}\p{Script_Extensions=Lao}\p{Script_Extensions=Balinese}\p{Script_Extensions=Javanese}\p{Script_Extensions=Tirhuta}\p{Script_Extensions=Grantha}\p{Script_Extensions=Kaithi}\p{Script_Extensions=Sharada}]/u;

const EMOJI = /\p{Emoji}/u;
const EXTENDED_PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const EMOJI_MODIFIER = /\p{Emoji_Modifier}/u;
const IDEOGRAPHIC = /\p{Ideographic}/u;
const COMBINING_MARK = /\p{M}/u;
const LETTER = /\p{L}/u;

const str = (cp: number) => String.fromCodePoint(cp);

/** A letter (or mark) of a right-to-left script: Hebrew, Arabic, Syriac, Thaana, N'Ko… */
export function isRtlChar(cp: number | undefined): boolean {
  return cp !== undefined && cp >= 0x0590 && RTL_SCRIPTS.test(str(cp));
}

/** Whether a stretch of text holds any right-to-left letter. */
export function hasRtl(text: string): boolean {
  // Cheap gate: every RTL script lives at or above U+0590.
  if (!/[\u0590-\uFFFF]/.test(text)) return false;
  for (const ch of text) if (isRtlChar(ch.codePointAt(0))) return true;
  return false;
}

/** A character of a script that uses ZWJ/ZWNJ for shaping (Arabic, Persian, Devanagari, Tamil…). */
export function isJoiningScriptChar(cp: number | undefined): boolean {
  return cp !== undefined && cp >= 0x0590 && JOINING_SCRIPTS.test(str(cp));
}

/** What may stand before a ZWJ in an emoji ZWJ sequence: a pictograph, a skin tone, VS16, a keycap or tag end. */
export function isEmojiJoinLeft(cp: number | undefined): boolean {
  if (cp === undefined || cp < 0xa9) return false;
  return cp === 0xfe0f || cp === 0x20e3 || cp === 0xe007f || EXTENDED_PICTOGRAPHIC.test(str(cp)) || EMOJI_MODIFIER.test(str(cp));
}

/** What may follow a ZWJ in an emoji ZWJ sequence: a pictograph or a hair component. */
export function isEmojiJoinRight(cp: number | undefined): boolean {
  if (cp === undefined || cp < 0xa9) return false;
  return (cp >= 0x1f9b0 && cp <= 0x1f9b3) || EXTENDED_PICTOGRAPHIC.test(str(cp));
}

function isAsciiGraphic(cp: number | undefined): boolean {
  return cp !== undefined && cp > 0x20 && cp < 0x7f;
}

function isAsciiAlnum(cp: number | undefined): boolean {
  return cp !== undefined && ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a));
}

export function isVariationSelector(cp: number | undefined): boolean {
  return cp !== undefined && ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef));
}

/** Zero-width characters that never belong next to each other in real text. */
function isZeroWidth(cp: number | undefined): boolean {
  return (
    cp !== undefined &&
    ((cp >= 0x200b && cp <= 0x200d) || (cp >= 0x2060 && cp <= 0x2064) || cp === 0xfeff || cp === 0x180e || cp === 0x034f || cp === 0x00ad || cp === 0x115f || cp === 0x1160 || cp === 0x3164 || cp === 0xffa0)
  );
}

// ---------------------------------------------------------------------------------------------
// Tag characters (U+E0000–U+E007F)

/** Fast test: any tag character in the text (its UTF-16 form is \uDB40 + \uDC00–\uDC7F). */
export const TAG_CHARACTER = /\uDB40[\uDC00-\uDC7F]/;
const TAG_RUNS = /(?:\uDB40[\uDC00-\uDC7F])+/g;

export function isTagCharacter(cp: number | undefined): boolean {
  return cp !== undefined && cp >= 0xe0000 && cp <= 0xe007f;
}

/**
 * The ASCII a run of tag characters spells: tag U+E00xx is ASCII 0xxx. CANCEL TAG ends a
 * sequence and prints nothing; LANGUAGE TAG (deprecated) shows as `<lang>`; the unassigned tags
 * that mirror control characters show as `\xNN`.
 */
export function decodeTags(run: string): string {
  let out = '';
  for (const ch of run) {
    const cp = ch.codePointAt(0)!;
    if (!isTagCharacter(cp)) {
      out += ch;
      continue;
    }
    const ascii = cp - 0xe0000;
    if (cp === 0xe007f) continue;
    if (cp === 0xe0001) out += '<lang>';
    else if (ascii >= 0x20 && ascii < 0x7f) out += String.fromCharCode(ascii);
    else out += `\\x${ascii.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Tag characters spelling `s` (ASCII only): for tests and examples. */
export function encodeTags(s: string): string {
  return [...s].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
}

export interface TagRun {
  start: number;
  end: number;
  /** The ASCII the run spells. */
  decoded: string;
}

/**
 * Emoji tag sequences (UTS #51 ED-14a) are the one valid use of tag characters: a black flag
 * U+1F3F4, a subdivision id in tag letters (`gbeng`, `gbsct`, `ustx`: a region of 2 letters or
 * 3 digits, then 1–4 letters or digits, per CLDR), then CANCEL TAG. Only the flag base is
 * accepted: every recommended tag sequence uses it, and any other base would be a free channel
 * for hidden text.
 */
const SUBDIVISION_TAG_SEQUENCE = /^(?:[a-z]{2}|[0-9]{3})[a-z0-9]{1,4}$/;

/** Length (UTF-16) of a well-formed flag tag sequence at the start of `run`, which follows a U+1F3F4. */
function flagSequenceLength(run: string): number {
  const cancel = run.indexOf('\uDB40\uDC7F');
  if (cancel < 0) return 0;
  return SUBDIVISION_TAG_SEQUENCE.test(decodeTags(run.slice(0, cancel))) ? cancel + 2 : 0;
}

/** Runs of tag characters, minus well-formed flag sequences such as England's 🏴󠁧󠁢󠁥󠁮󠁧󠁿. */
export function findTagRuns(text: string): TagRun[] {
  if (!TAG_CHARACTER.test(text)) return [];
  const runs: TagRun[] = [];
  for (const m of text.matchAll(TAG_RUNS)) {
    let start = m.index!;
    const end = start + m[0].length;
    if (codePointBefore(text, start) === 0x1f3f4) start += flagSequenceLength(m[0]);
    if (start < end) runs.push({ start, end, decoded: decodeTags(text.slice(start, end)) });
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Invisible characters

/**
 * Every code point the invisible-character check looks at. The tags block and the bidi
 * embeddings/overrides/isolates have their own checks; LRM/RLM/ALM (U+200E, U+200F, U+061C) are
 * here because, unlike embeddings, they only matter as stray marks outside RTL text.
 */
export const INVISIBLE_CANDIDATE =
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u2060-\u2065\u206A-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF9-\uFFFB]|\uDB40[\uDD00-\uDDEF]|\uD834[\uDD73-\uDD7A]/;
const INVISIBLE_CANDIDATES = new RegExp(INVISIBLE_CANDIDATE.source, 'g');

export interface InvisibleCharacter {
  start: number;
  end: number;
  cp: number;
  /** Why it is out of place, in a few words. */
  reason: string;
}

function lineAround(text: string, i: number): string {
  const start = text.lastIndexOf('\n', i - 1) + 1;
  let end = text.indexOf('\n', i);
  if (end < 0) end = text.length;
  return text.slice(start, end);
}

/**
 * Why the invisible character at `i` is suspicious, or undefined where the context makes it
 * legitimate: a BOM at offset 0; ZWJ inside an emoji ZWJ sequence (👨‍👩‍👧); ZWJ/ZWNJ in a
 * joining script (Persian می‌خواهم, Hindi क्‍ष) and not touching ASCII letters; ZWSP between
 * non-ASCII text (Thai, Japanese line-break hints); one variation selector after a base it is
 * defined for; LRM/RLM/ALM on a line with RTL text; Hangul fillers inside conjoining jamo.
 */
export function invisibleReason(text: string, i: number, cp: number): string | undefined {
  const prev = codePointBefore(text, i);
  const next = codePointAt(text, i + utf16Length(cp));
  const inRun = isZeroWidth(prev) || isZeroWidth(next);
  switch (cp) {
    case 0xfeff:
      return i === 0 ? undefined : 'a byte order mark in the middle of the text';
    case 0x200b:
      if (inRun) return 'part of a run of zero-width characters';
      // `*\u200B/` is the usual way to write `*/` inside a block comment (globs in JSDoc).
      if ((prev === 0x2a && next === 0x2f) || (prev === 0x2f && next === 0x2a)) return undefined;
      return isAsciiGraphic(prev) || isAsciiGraphic(next) ? 'a zero-width space next to ASCII text' : undefined;
    case 0x200c:
    case 0x200d: {
      if (inRun) return 'part of a run of zero-width characters';
      if (cp === 0x200d && isEmojiJoinLeft(prev) && isEmojiJoinRight(next)) return undefined;
      if ((isJoiningScriptChar(prev) || isJoiningScriptChar(next)) && !isAsciiAlnum(prev) && !isAsciiAlnum(next)) return undefined;
      return 'a zero-width joiner outside emoji and joining scripts';
    }
    case 0x200e:
    case 0x200f:
    case 0x061c:
      return hasRtl(lineAround(text, i)) ? undefined : 'a directional mark on a line without right-to-left text';
    case 0x115f:
      return next !== undefined && ((next >= 0x1160 && next <= 0x11a7) || (next >= 0xd7b0 && next <= 0xd7c6)) ? undefined : 'a Hangul filler outside a jamo sequence';
    case 0x1160:
      return prev !== undefined && ((prev >= 0x1100 && prev <= 0x115f) || (prev >= 0xa960 && prev <= 0xa97c)) ? undefined : 'a Hangul filler outside a jamo sequence';
    case 0x3164:
    case 0xffa0:
      return 'a Hangul filler, blank on screen but a letter in identifiers';
    case 0x180e:
      return prev !== undefined && next !== undefined && prev >= 0x1800 && prev <= 0x18af && next >= 0x1800 && next <= 0x18af ? undefined : 'a Mongolian vowel separator outside Mongolian text';
    case 0x034f:
      return !inRun && next !== undefined && COMBINING_MARK.test(str(next)) ? undefined : 'a combining grapheme joiner with nothing to join';
    case 0x00ad:
      // Inside a word it hides from keyword filters; alone (a Latin-1 table, a quoted literal) it hides nothing.
      return inRun || isAsciiAlnum(prev) || isAsciiAlnum(next) || (LETTER.test(str(prev ?? 0x20)) && LETTER.test(str(next ?? 0x20)))
        ? 'a soft hyphen inside a word, invisible unless the line breaks there'
        : undefined;
  }
  if (isVariationSelector(cp)) {
    if (isVariationSelector(prev) || isVariationSelector(next)) return 'part of a run of variation selectors (can encode hidden bytes)';
    if (prev === undefined) return 'a variation selector with no base character';
    if (cp === 0xfe0e || cp === 0xfe0f) return EMOJI.test(str(prev)) ? undefined : 'a variation selector after a character that has no emoji variant';
    if (cp < 0xfe0e) {
      const valid = (prev > 0x7f && !EXTENDED_PICTOGRAPHIC.test(str(prev)) && !isZeroWidth(prev)) || (prev === 0x30 && cp === 0xfe00);
      return valid ? undefined : 'a variation selector after a character it does not apply to';
    }
    return IDEOGRAPHIC.test(str(prev)) ? undefined : 'an ideographic variation selector after a non-ideograph';
  }
  // U+2060–U+2065, U+206A–U+206F, U+17B4/5, U+FFF9–FFFB, U+1D173–U+1D17A: no legitimate use in source or instructions.
  return 'an invisible format character';
}

/** Invisible characters out of place in `text` (empty for almost every file, after one regex test). */
export function findInvisibleCharacters(text: string): InvisibleCharacter[] {
  if (!INVISIBLE_CANDIDATE.test(text)) return [];
  const out: InvisibleCharacter[] = [];
  for (const m of text.matchAll(INVISIBLE_CANDIDATES)) {
    const start = m.index!;
    const cp = m[0].codePointAt(0)!;
    const reason = invisibleReason(text, start, cp);
    if (reason) out.push({ start, end: start + m[0].length, cp, reason });
  }
  return out;
}

/**
 * Bytes hidden in a run of variation selectors (the "emoji smuggling" encoding: VS1–VS16 are
 * bytes 0–15, VS17–VS256 are bytes 16–255), as text when they decode to printable UTF-8.
 */
export function decodeVariationSelectors(run: string): string | undefined {
  const bytes: number[] = [];
  for (const ch of run) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xfe00 && cp <= 0xfe0f) bytes.push(cp - 0xfe00);
    else if (cp >= 0xe0100 && cp <= 0xe01ef) bytes.push(cp - 0xe0100 + 16);
  }
  if (bytes.length < 2) return undefined;
  const decoded = Buffer.from(bytes).toString('utf8');
  return /^[\P{C}\t\n\r]+$/u.test(decoded) && !decoded.includes('\uFFFD') ? decoded : undefined;
}

// ---------------------------------------------------------------------------------------------
// Bidirectional controls (UAX #9 explicit embeddings, overrides and isolates)

export const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

const isIsolateOpener = (cp: number) => cp >= 0x2066 && cp <= 0x2068;
const isEmbeddingOpener = (cp: number) => cp === 0x202a || cp === 0x202b || cp === 0x202d || cp === 0x202e;

export interface BidiControl {
  start: number;
  cp: number;
  /** Offset of the matching PDF/PDI (openers) or opener (closers); undefined when unmatched. */
  partner?: number;
  /** Why it is suspicious; undefined for controls that format genuine RTL text. */
  reason?: string;
}

/**
 * Every bidi control with its pairing and verdict. Embeddings end at the end of a line (a
 * paragraph separator in UAX #9), so pairing is per line. A control is legitimate only where it
 * formats right-to-left text: an RLE/RLI whose span holds RTL letters, an RLO whose span is RTL
 * letters without ASCII (overriding ASCII is what reverses code), an LRE/LRI/FSI/LRO on a line
 * with RTL text (an LRO must not span RTL letters, which it would reverse), and their closers.
 * `requireTerminated` (for code) also flags openers left open to the end of the line: in source
 * code that is how the reordering escapes a string or comment.
 */
export function analyzeBidiControls(text: string, options: { requireTerminated?: boolean } = {}): BidiControl[] {
  if (!BIDI_CONTROL.test(text)) return [];
  const requireTerminated = options.requireTerminated ?? false;
  const out: BidiControl[] = [];
  let line = { start: 0, end: -1 };
  let open: BidiControl[] = [];
  const finishLine = () => {
    for (const o of open) judgeOpener(text, o, line, line.end, false, requireTerminated);
    open = [];
  };
  for (const m of text.matchAll(BIDI_CONTROLS)) {
    const start = m.index!;
    if (start > line.end) {
      finishLine();
      const end = text.indexOf('\n', start);
      line = { start: text.lastIndexOf('\n', start - 1) + 1, end: end < 0 ? text.length : end };
    }
    const cp = m[0].charCodeAt(0);
    const control: BidiControl = { start, cp };
    out.push(control);
    if (isIsolateOpener(cp) || isEmbeddingOpener(cp)) {
      open.push(control);
    } else if (cp === 0x202c) {
      // PDF closes the innermost embedding, unless an isolate is open inside it.
      const top = open[open.length - 1];
      if (top && isEmbeddingOpener(top.cp)) {
        open.pop();
        pair(top, control);
        judgeOpener(text, top, line, start, true, requireTerminated);
      } else control.reason = 'a PDF with no embedding to close';
    } else {
      // PDI closes the innermost isolate and every embedding opened inside it.
      const at = open.map((o) => isIsolateOpener(o.cp)).lastIndexOf(true);
      if (at >= 0) {
        const closed = open.splice(at);
        pair(closed[0], control);
        for (const o of closed) judgeOpener(text, o, line, start, true, requireTerminated);
      } else control.reason = 'a PDI with no isolate to close';
    }
  }
  finishLine();
  // Closers share their opener's verdict.
  const byStart = new Map(out.map((c) => [c.start, c]));
  for (const c of out) {
    if ((c.cp === 0x202c || c.cp === 0x2069) && c.partner !== undefined) c.reason = byStart.get(c.partner)?.reason;
  }
  return out;
}

function pair(opener: BidiControl, closer: BidiControl) {
  opener.partner = closer.start;
  closer.partner = opener.start;
}

function judgeOpener(text: string, o: BidiControl, line: { start: number; end: number }, spanEnd: number, terminated: boolean, requireTerminated: boolean) {
  const name = BIDI_ABBREVIATIONS[o.cp];
  if (requireTerminated && !terminated) {
    o.reason = `an ${name} left open to the end of the line`;
    return;
  }
  const span = text.slice(o.start + 1, spanEnd);
  const lineText = text.slice(line.start, line.end);
  switch (o.cp) {
    case 0x202b: // RLE
    case 0x2067: // RLI
      if (!hasRtl(span)) o.reason = `an ${name} around text with no right-to-left letters`;
      break;
    case 0x202e: // RLO
      if (!hasRtl(span) || /[A-Za-z0-9]/.test(span)) o.reason = 'an RLO that reverses left-to-right text';
      break;
    case 0x202d: // LRO
      if (!hasRtl(lineText)) o.reason = 'an LRO on a line without right-to-left text';
      else if (hasRtl(span)) o.reason = 'an LRO that reverses right-to-left text';
      break;
    default: // LRE, LRI, FSI
      if (!hasRtl(lineText)) o.reason = `an ${name} on a line without right-to-left text`;
  }
}

// ---------------------------------------------------------------------------------------------
// What a reader sees

/** Anything this module would report (tags, stray invisibles, bidi controls): one fast test. */
export const HIDDEN_CANDIDATE = new RegExp(`${TAG_CHARACTER.source}|${INVISIBLE_CANDIDATE.source}|${BIDI_CONTROL.source}`);
const HIDDEN_CANDIDATES = new RegExp(HIDDEN_CANDIDATE.source, 'g');

export interface VisibleText {
  /** The text with tag characters decoded to ASCII and invisible format characters removed. */
  text: string;
  /** Original offset of an offset in `text` (`text.length` maps to the original length). */
  original(offset: number): number;
  /** Whether the original range [start, end) of `text` held hidden characters. */
  hiddenIn(start: number, end: number): boolean;
}

/**
 * The text a model effectively reads: tag characters become the ASCII they spell and invisible
 * format characters (zero-width, bidi controls, soft hyphens, variation selectors) disappear,
 * so `ig\u200Bnore` and tag-encoded instructions match the same patterns as plain text. Emoji and
 * joining-script context are not preserved: use it for matching words, not for display.
 */
export function visibleText(text: string): VisibleText {
  if (!HIDDEN_CANDIDATE.test(text)) return { text, original: (i) => i, hiddenIn: () => false };
  const parts: string[] = [];
  // The offset map as steps: from visible offset starts[k] on, original = visible + deltas[k].
  const starts = [0];
  const deltas = [0];
  let delta = 0;
  let last = 0;
  for (const m of text.matchAll(HIDDEN_CANDIDATES)) {
    const at = m.index!;
    parts.push(text.slice(last, at));
    const visibleAt = at - delta;
    const cp = m[0].codePointAt(0)!;
    if (isTagCharacter(cp) && cp >= 0xe0020 && cp <= 0xe007e) {
      // One visible ASCII character for two code units: later offsets shift by one more.
      parts.push(String.fromCharCode(cp - 0xe0000));
      delta += m[0].length - 1;
      starts.push(visibleAt + 1);
    } else {
      delta += m[0].length;
      starts.push(visibleAt);
    }
    deltas.push(delta);
    last = at + m[0].length;
  }
  parts.push(text.slice(last));
  const visible = parts.join('');
  const original = (i: number) => {
    const v = Math.max(0, Math.min(i, visible.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= v) lo = mid;
      else hi = mid - 1;
    }
    return v + deltas[lo];
  };
  return { text: visible, original, hiddenIn: (start, end) => HIDDEN_CANDIDATE.test(text.slice(original(start), original(end))) };
}

/**
 * One line saying what a piece of text hides, or undefined when it hides nothing: for rules that
 * judge text a model reads (MCP tool descriptions, prompt strings) and want to say why.
 */
export function describeHiddenContent(text: string): string | undefined {
  if (!HIDDEN_CANDIDATE.test(text)) return undefined;
  const parts: string[] = [];
  const tags = findTagRuns(text).map((r) => r.decoded.trim()).filter(Boolean);
  if (tags.length) parts.push(`hidden text "${truncate(tags.join(' '), 80)}" in Unicode tag characters`);
  const invisible = findInvisibleCharacters(text).length;
  if (invisible) parts.push(`${invisible} invisible character${invisible === 1 ? '' : 's'}`);
  const bidi = analyzeBidiControls(text).filter((c) => c.reason).length;
  if (bidi) parts.push(`${bidi} bidirectional control character${bidi === 1 ? '' : 's'}`);
  return parts.length ? parts.join('; ') : undefined;
}

/** `ig⟦U+200B⟧nore`: a string with its invisible and control characters named, for messages. */
export function showHidden(s: string): string {
  return s.replace(HIDDEN_CANDIDATES, (c) => `⟦U+${hex(c.codePointAt(0)!)}⟧`);
}

/** Cuts text for a message, on a character boundary. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = [...s.slice(0, max)];
  if (cut.length && /[\uD800-\uDBFF]/.test(cut[cut.length - 1])) cut.pop();
  return cut.join('') + '…';
}

// ---------------------------------------------------------------------------------------------
// Fixing hidden characters where they sit: delete them, or spell them as escapes in literals

/** Where a character sits, for choosing how to remove it. */
export type Placement =
  /** Prose or data with no syntax tree (Markdown, text, TOML), or a comment. */
  | { kind: 'text' | 'comment' }
  /** A string literal; `escape` is how to spell a code point there (absent for raw strings, JSX text, tagged templates…). */
  | { kind: 'string'; escape?: (cp: number) => string }
  /** An identifier: a name made of (or containing) invisible characters. */
  | { kind: 'identifier' }
  /** Any other code token. */
  | { kind: 'code' };

const pyEscape = (cp: number) => (cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`);
const utf16Escape = (cp: number) =>
  String.fromCodePoint(cp)
    .split('')
    .map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .join('');

/** The syntactic context of offset `start` in a file, from its syntax tree when it has one. */
export function placementAt(ctx: RuleContext, start: number): Placement {
  if (!hasGrammar(ctx.language)) return { kind: 'text' };
  const node = ctx.tree.rootNode.descendantForIndex(start, start + 1);
  for (let n: typeof node | null = node; n; n = n.parent) {
    const type = n.type;
    if (type === 'comment') return { kind: 'comment' };
    switch (ctx.language) {
      case 'python':
        if (type === 'interpolation') return { kind: 'code' };
        if (type === 'string') {
          const prefix = n.firstChild?.type === 'string_start' ? n.firstChild.text : '';
          return { kind: 'string', escape: /[rb]/i.test(prefix) ? undefined : pyEscape };
        }
        break;
      case 'json':
        if (type === 'string') return { kind: 'string', escape: utf16Escape };
        break;
      case 'yaml':
        if (type === 'double_quote_scalar') return { kind: 'string', escape: pyEscape };
        if (type === 'single_quote_scalar' || type === 'plain_scalar' || type === 'block_scalar') return { kind: 'string' };
        break;
      default: // JavaScript, TypeScript, TSX
        if (type === 'template_substitution') return { kind: 'code' };
        if (type === 'jsx_text') return { kind: 'string' };
        if (type === 'regex_pattern') return { kind: 'string', escape: utf16Escape };
        if (type === 'string') return { kind: 'string', escape: n.parent?.type === 'jsx_attribute' ? undefined : utf16Escape };
        // A tagged template passes its raw text to the tag (String.raw, sql``, gql``): escapes change it.
        if (type === 'template_string') return { kind: 'string', escape: n.parent?.type === 'call_expression' ? undefined : utf16Escape };
    }
    if (/identifier/.test(type)) return { kind: 'identifier' };
  }
  return { kind: ctx.language === 'json' || ctx.language === 'yaml' ? 'text' : 'code' };
}

/**
 * The edit that makes a hidden range visible or removes it: escapes in string literals (same
 * value, now visible), a visible name in identifiers (U+3164 → `_u3164`, so every use still
 * refers to the same variable and none collides with the name it imitates), else deletion.
 */
export function escapeOrDelete(ctx: RuleContext, start: number, end: number, options: { rename?: boolean } = {}): { edit: TextEdit; placement: Placement; escaped: boolean } {
  const placement = placementAt(ctx, start);
  const chars = [...ctx.text.slice(start, end)].map((c) => c.codePointAt(0)!);
  if (placement.kind === 'string' && placement.escape) {
    return { edit: { start, end, newText: chars.map(placement.escape).join('') }, placement, escaped: true };
  }
  if (placement.kind === 'identifier' && options.rename) {
    return { edit: { start, end, newText: chars.map((cp) => `_u${cp.toString(16)}`).join('') }, placement, escaped: true };
  }
  return { edit: { start, end, newText: '' }, placement, escaped: false };
}
