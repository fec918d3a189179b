// Shell command lines written inside config strings (hooks, tasks, npm scripts, `bash -c` bodies):
// simple commands and pipelines with each word's place, the program each command runs, and the
// download-and-execute shapes. This reads the text the way a POSIX shell splits it; it does not
// expand anything.
import { programName, splitWords, substringRange, type ConfigString, type Word } from '../../config-files';
import type { TextRange } from '../../../engine/types';

export interface SimpleCommand {
  words: Word[];
  /** The program word after assignments and `sudo`/`env`/`exec`/`time` prefixes. */
  program?: Word;
  /** The program's bare name, lower case (`/usr/bin/curl` → `curl`). */
  name: string;
  /** The words after the program. */
  args: Word[];
}

/** A pipeline: commands joined by `|`; data flows from each into the next. */
export type Pipeline = SimpleCommand[];

const PREFIXES = new Set(['sudo', 'env', 'exec', 'time', 'nohup', 'command', 'builtin', 'nice', 'doas']);

function simpleCommand(words: Word[]): SimpleCommand {
  let i = 0;
  while (i < words.length) {
    const v = words[i].value;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) i++;
    else if (PREFIXES.has(programName(v))) {
      i++;
      while (i < words.length && (words[i].value.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i].value))) i++;
    } else break;
  }
  const program = words[i];
  return { words, program, name: program ? programName(program.value) : '', args: words.slice(i + 1) };
}

/** The pipelines of a script: separated by `;`, `&&`, `||`, `&` and newlines, each split at `|`. */
export function pipelinesOf(s: ConfigString, from = 0, to = s.value.length): Pipeline[] {
  const out: Pipeline[] = [];
  // Newlines separate commands like `;` does; split on them first so a multi-line hook reads right.
  let lineStart = from;
  for (let i = from; i <= to; i++) {
    if (i === to || s.value[i] === '\n') {
      let pipeline: Word[][] = [[]];
      const flush = () => {
        const commands = pipeline.filter((c) => c.length > 0).map(simpleCommand);
        if (commands.length > 0) out.push(commands);
        pipeline = [[]];
      };
      for (const w of splitWords(s, lineStart, i)) {
        const operator = w.to - w.from === w.value.length && /^(;|&&|\|\||&|\||\|&|\(|\))$/.test(w.value);
        if (operator && (w.value === '|' || w.value === '|&')) pipeline.push([]);
        else if (operator) flush();
        else pipeline[pipeline.length - 1].push(w);
      }
      flush();
      lineStart = i + 1;
    }
  }
  return out;
}

/** Every simple command of a script, in order. */
export function commandsOf(s: ConfigString, from?: number, to?: number): SimpleCommand[] {
  return pipelinesOf(s, from, to).flat();
}

// ---------------------------------------------------------------------------------------------
// Download and execute

const FETCHERS = String.raw`(?:curl|wget|fetch|http|https|xh|aria2c|iwr|irm|invoke-webrequest|invoke-restmethod)`;
const INTERPRETERS = String.raw`(?:sudo\s+(?:-\S+\s+)*)?(?:(?:(?:/usr)?/bin/)?(?:ba|z|da|k|fi)?sh|python[0-9.]*|node|perl|ruby|php|deno|bun|iex|invoke-expression|powershell|pwsh|cmd)`;
const DOWNLOAD_EXEC: RegExp[] = [
  // curl … | sh
  new RegExp(String.raw`\b${FETCHERS}\b[^|;&\n]*\|\s*${INTERPRETERS}\b`, 'i'),
  // sh -c "$(curl …)", bash <(curl …), python3 <(wget -O- …)
  new RegExp(String.raw`\b(?:${INTERPRETERS})\b(?:\s+-\S+)*\s+(?:-c\s+)?["']?(?:\$\(|<\(|\x60)\s*${FETCHERS}\b`, 'i'),
  // iex (iwr …), Invoke-Expression (New-Object Net.WebClient).DownloadString(…)
  /\b(?:iex|invoke-expression)\b[\s(]*(?:\(?\s*(?:iwr|irm|invoke-webrequest|invoke-restmethod)\b|\(?\s*new-object\s+(?:system\.)?net\.webclient\b)/i,
  // source <(curl …), . <(curl …)
  new RegExp(String.raw`(?:^|[\s;&|])(?:source|\.)\s+<\(\s*${FETCHERS}\b`, 'i'),
];

/** Where a script downloads code and hands it to an interpreter, as a range of the string's value. */
export function downloadAndExecute(s: ConfigString, from = 0, to = s.value.length): { from: number; to: number } | undefined {
  const text = s.value.slice(from, to);
  for (const pattern of DOWNLOAD_EXEC) {
    const m = pattern.exec(text);
    if (m) {
      const lead = m[0].length - m[0].trimStart().length;
      return { from: from + m.index + lead, to: from + m.index + m[0].length };
    }
  }
  return undefined;
}

export function rangeOfSpan(s: ConfigString, span: { from: number; to: number }): TextRange {
  return substringRange(s, span.from, span.to);
}

// ---------------------------------------------------------------------------------------------
// Expansions

export interface Expansion {
  /** Indices into the string's value: `$(…)`, `` `…` ``, `$NAME` or `${NAME…}`. */
  from: number;
  to: number;
  kind: 'command' | 'variable';
  /** The variable's name, or the command substitution's inner text. */
  body: string;
  /** Inside double quotes (no word splitting or globbing). Single-quoted text has no expansions. */
  quoted: boolean;
}

/** The index just past the `)` that closes the `(` at `open`, skipping quoted text. */
function closeParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return text.length;
}

/** The expansions of a script with their quoting, outermost only (`$(a $(b))` is one). */
export function expansionsOf(s: ConfigString, from = 0, to = s.value.length): Expansion[] {
  const text = s.value.slice(0, to);
  const out: Expansion[] = [];
  let inDouble = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (!inDouble && c === "'") {
      const close = text.indexOf("'", i + 1);
      i = close < 0 ? text.length : close;
      continue;
    }
    if (c === '"') {
      inDouble = !inDouble;
      continue;
    }
    if (c === '$' && text[i + 1] === '(' && text[i + 2] !== '(') {
      const end = closeParen(text, i + 1);
      out.push({ from: i, to: end, kind: 'command', body: text.slice(i + 2, end - 1), quoted: inDouble });
      i = end - 1;
    } else if (c === '`') {
      const close = text.indexOf('`', i + 1);
      const end = close < 0 ? text.length : close + 1;
      out.push({ from: i, to: end, kind: 'command', body: text.slice(i + 1, end - 1), quoted: inDouble });
      i = end - 1;
    } else if (c === '$' && text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      const end = close < 0 ? text.length : close + 1;
      const name = /^[#!]?([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i + 2, end - 1))?.[1] ?? '';
      out.push({ from: i, to: end, kind: 'variable', body: name, quoted: inDouble });
      i = end - 1;
    } else if (c === '$' && /[A-Za-z_]/.test(text[i + 1] ?? '')) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))!;
      out.push({ from: i, to: i + 1 + m[0].length, kind: 'variable', body: m[0], quoted: inDouble });
      i += m[0].length;
    }
  }
  return out;
}
