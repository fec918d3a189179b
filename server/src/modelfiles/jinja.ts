// Lint for Jinja chat templates shipped inside model files (GGUF `tokenizer.chat_template`).
// Inference servers render these with Jinja2 (sometimes unsandboxed); server-side template
// injection reaches Python through object attributes and Jinja's global helpers. Legitimate
// chat templates never need any of the constructs below (note that `namespace(...)` itself is
// common and fine; walking its attributes is not).

export interface TemplateHit {
  index: number;
  what: string;
}

const PATTERNS: [RegExp, string][] = [
  [/__(class|globals|subclasses|builtins|import|mro|bases|base|init|dict|code|getattribute|reduce|reduce_ex|func|self|loader|spec)__/g, 'a Python dunder attribute ($&)'],
  [/\b(cycler|joiner|namespace|lipsum|range|dict|self|config|request|url_for|get_flashed_messages)\s*\.\s*_/g, 'attribute access into a Jinja global ($1)'],
  [/\blipsum\b/g, 'the lipsum global (a classic sandbox-escape handle)'],
  [/\|\s*attr\s*\(/g, 'the attr filter (attribute access by computed name)'],
  [/\\x5f|\\u005f|\\137|['"]_['"]\s*\*\s*2/g, 'an obfuscated underscore ($&)'],
  [/\bos\s*\.\s*(popen|system|exec\w*|spawn\w*|remove|unlink)\b|\bpopen\s*\(|\bsubprocess\b/g, 'a command execution call ($&)'],
  [/\b(eval|exec|compile|__import__|importlib|getattr|setattr)\s*\(/g, 'a Python code execution builtin ($1)'],
  [/\{%-?\s*(import|include|extends|from)\b/g, 'a template loading directive ({% $1 %})'],
  [/_TemplateReference__context|\bmro\s*\(\s*\)/g, 'an internal Jinja/Python handle ($&)'],
];

export function lintChatTemplate(template: string): TemplateHit[] {
  const hits: TemplateHit[] = [];
  for (const [re, what] of PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(template); m && hits.length < 50; m = re.exec(template)) {
      hits.push({ index: m.index, what: what.replace('$&', m[0].slice(0, 40)).replace('$1', m[1] ?? '') });
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return hits.sort((a, b) => a.index - b.index);
}
