// What AI providers' API keys look like, how to tell a real key from a documentation
// placeholder, and how to name one in a message without repeating it. Pure text in, offsets
// out: the same detection serves string literals in code and raw text (.env, JSON, YAML,
// notebooks). Formats are strict on prefix, alphabet and length, and a match must also look
// random (enough entropy, both letter cases where the alphabet has them, no filler runs), so
// identifiers, docs and `sk-xxxx…` placeholders stay quiet.
//
// Sources for the shapes (prefix + body alphabet and length), cross-checked between the two
// major open-source scanners and the providers' docs:
// - gitleaks rules: cmd/generate/config/rules/{openai,anthropic,huggingface,gcp,groq,openrouter,
//   replicate,langsmith,xai,perplexity}.go
// - trufflehog detectors: pkg/detectors/{openai,anthropic,huggingface,groq,openrouter,replicate,
//   langsmith,pinecone,xai,perplexity}
// Where the two disagree (Groq 48 vs 52, Replicate 37 vs 40 body characters) both lengths pass.

export type Provider =
  | 'openai'
  | 'anthropic'
  | 'huggingface'
  | 'google'
  | 'groq'
  | 'openrouter'
  | 'replicate'
  | 'langsmith'
  | 'pinecone'
  | 'xai'
  | 'perplexity';

export interface KeyFormat {
  provider: Provider;
  /** For messages: "an OpenAI API key". */
  description: string;
  /** The environment variable the provider's SDKs read the key from. */
  envVar: string;
  /**
   * 'high': the prefix and shape are the provider's alone. 'medium': the shape is shared with
   * keys that are public by design (Google `AIza…` keys also serve Maps and Firebase web apps),
   * so callers should want some AI context before reporting it.
   */
  confidence: 'high' | 'medium';
  /** Where the shape is documented. */
  reference: string;
  /** The whole key; group 1 is the visible prefix, group 2 the random body. */
  pattern: RegExp;
  /** Whether the body's alphabet has both letter cases (then a real key uses both). */
  mixedCase: boolean;
}

// A key never continues a longer token: nothing from its alphabets (or base64's) right before
// it, except the `\n`/`\t` escapes of JSON strings (notebook sources). The right edge is checked
// per format, against that format's body alphabet, so exact lengths really are exact.
const LEFT = String.raw`(?<![A-Za-z0-9_+/-])`;
const LEFT_ESCAPED = String.raw`(?<=\\[nrt])`;

function keyPattern(body: string, alphabet: string): RegExp {
  return new RegExp(`(?:${LEFT}|${LEFT_ESCAPED})${body}(?![${alphabet}])`, 'g');
}

export const KEY_FORMATS: readonly KeyFormat[] = [
  {
    provider: 'anthropic',
    description: 'an Anthropic API key',
    envVar: 'ANTHROPIC_API_KEY',
    confidence: 'high',
    reference: 'https://docs.anthropic.com/en/api/overview#authentication',
    // sk-ant-api03-… (and admin01 keys): 93 URL-safe base64 characters, then the fixed `AA`.
    pattern: keyPattern(String.raw`(sk-ant-(?:api|admin)\d{2}-)([A-Za-z0-9_-]{93}AA)`, 'A-Za-z0-9_-'),
    mixedCase: true,
  },
  {
    provider: 'openrouter',
    description: 'an OpenRouter API key',
    envVar: 'OPENROUTER_API_KEY',
    confidence: 'high',
    reference: 'https://openrouter.ai/docs/api-reference/authentication',
    pattern: keyPattern(String.raw`(sk-or-v1-)([a-f0-9]{64})`, 'A-Za-z0-9_-'),
    mixedCase: false,
  },
  {
    provider: 'openai',
    description: 'an OpenAI API key',
    envVar: 'OPENAI_API_KEY',
    confidence: 'high',
    reference: 'https://platform.openai.com/docs/api-reference/authentication',
    // Every OpenAI key carries `T3BlbkFJ` (base64 of "OpenAI") between two random halves:
    // 20 + 20 alphanumerics in user keys (sk-…), 58 or 74 URL-safe characters on each side in
    // project, service-account and admin keys (sk-proj-…, sk-svcacct-…, sk-admin-…).
    pattern: keyPattern(
      String.raw`(sk-(?:(?:proj|svcacct|admin|None)-)?)((?<=sk-)[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|(?<=-(?:proj|svcacct|admin|None)-)(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58}))`,
      'A-Za-z0-9_-',
    ),
    mixedCase: true,
  },
  {
    provider: 'huggingface',
    description: 'a Hugging Face access token',
    envVar: 'HF_TOKEN',
    confidence: 'high',
    reference: 'https://huggingface.co/docs/hub/security-tokens',
    pattern: keyPattern(String.raw`(hf_)([A-Za-z]{34})`, 'A-Za-z0-9_'),
    mixedCase: true,
  },
  {
    provider: 'google',
    description: 'a Google API key',
    envVar: 'GOOGLE_API_KEY',
    confidence: 'medium',
    reference: 'https://ai.google.dev/gemini-api/docs/api-key',
    pattern: keyPattern(String.raw`(AIza)([A-Za-z0-9_-]{35})`, 'A-Za-z0-9_-'),
    mixedCase: true,
  },
  {
    provider: 'groq',
    description: 'a Groq API key',
    envVar: 'GROQ_API_KEY',
    confidence: 'high',
    reference: 'https://console.groq.com/docs/quickstart',
    pattern: keyPattern(String.raw`(gsk_)([A-Za-z0-9]{52}|[A-Za-z0-9]{48})`, 'A-Za-z0-9_'),
    mixedCase: true,
  },
  {
    provider: 'replicate',
    description: 'a Replicate API token',
    envVar: 'REPLICATE_API_TOKEN',
    confidence: 'high',
    reference: 'https://replicate.com/docs/topics/security/api-tokens',
    pattern: keyPattern(String.raw`(r8_)([A-Za-z0-9]{40}|[A-Za-z0-9]{37})`, 'A-Za-z0-9_'),
    mixedCase: true,
  },
  {
    provider: 'langsmith',
    description: 'a LangSmith API key',
    envVar: 'LANGSMITH_API_KEY',
    confidence: 'high',
    reference: 'https://docs.smith.langchain.com/administration/how_to_guides/organization_management/create_account_api_key',
    // Personal tokens (pt) and service keys (sk): 32 hex, `_`, a 10-hex checksum.
    pattern: keyPattern(String.raw`(lsv2_(?:pt|sk)_)([a-f0-9]{32}_[a-f0-9]{10})`, 'A-Za-z0-9_'),
    mixedCase: false,
  },
  {
    provider: 'pinecone',
    description: 'a Pinecone API key',
    envVar: 'PINECONE_API_KEY',
    confidence: 'high',
    reference: 'https://docs.pinecone.io/guides/projects/manage-api-keys',
    // pcsk_<key id>_<secret>: a short key id, then a long alphanumeric secret.
    pattern: keyPattern(String.raw`(pcsk_)([A-Za-z0-9]{4,8}_[A-Za-z0-9]{40,80})`, 'A-Za-z0-9_'),
    mixedCase: true,
  },
  {
    provider: 'xai',
    description: 'an xAI API key',
    envVar: 'XAI_API_KEY',
    confidence: 'high',
    reference: 'https://docs.x.ai/docs/overview',
    pattern: keyPattern(String.raw`(xai-)([A-Za-z0-9]{80})`, 'A-Za-z0-9_-'),
    mixedCase: true,
  },
  {
    provider: 'perplexity',
    description: 'a Perplexity API key',
    envVar: 'PERPLEXITY_API_KEY',
    confidence: 'high',
    reference: 'https://docs.perplexity.ai/guides/getting-started',
    pattern: keyPattern(String.raw`(pplx-)([A-Za-z0-9]{48})`, 'A-Za-z0-9_-'),
    mixedCase: true,
  },
];

/** Substrings every format starts with: a cheap test before running the patterns. */
const PREFIXES = ['sk-', 'hf_', 'AIza', 'gsk_', 'r8_', 'lsv2_', 'pcsk_', 'xai-', 'pplx-'];

export interface KeyMatch {
  /** Offsets of the key in the text (UTF-16, like every offset in the engine). */
  start: number;
  end: number;
  provider: Provider;
  description: string;
  envVar: string;
  confidence: 'high' | 'medium';
  /** The key with all but its prefix and two more characters hidden: `sk-proj-Ab…`. */
  masked: string;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Words and fillers documentation puts where a key goes. Long enough not to occur by chance in a random key. */
const FILLER_WORDS = /example|sample|placeholder|dummy|redacted|changeme|change_me|replace|insert_?your|your_?(api_?)?(key|token)/i;

/** The longest run of one repeated character. */
function longestRun(text: string): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    run = i > 0 && text[i] === text[i - 1] ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}

/** The longest run of consecutive ascending (or descending) characters: `abcdef`, `123456`, `9876`. */
function longestSequence(text: string): number {
  let best = 1;
  let up = 1;
  let down = 1;
  for (let i = 1; i < text.length; i++) {
    const d = text.charCodeAt(i) - text.charCodeAt(i - 1);
    up = d === 1 ? up + 1 : 1;
    down = d === -1 ? down + 1 : 1;
    best = Math.max(best, up, down);
  }
  return text.length === 0 ? 0 : best;
}

/**
 * Whether the random part of a format match is filler rather than a key: a placeholder word,
 * a run of one character (`xxxxxxxx`, `AAAAAAAA`), a keyboard sequence (`abcdefgh`, `123456789`),
 * too little entropy, or (for mixed-case alphabets) only one letter case. A uniformly random
 * body of these lengths fails any of these with a probability below one in a hundred thousand.
 */
export function isFillerBody(body: string, mixedCase: boolean): boolean {
  if (FILLER_WORDS.test(body)) return true;
  if (longestRun(body) >= 6) return true;
  if (longestSequence(body) >= 7) return true;
  if (shannonEntropy(body) < 3) return true;
  if (mixedCase) {
    const upper = (body.match(/[A-Z]/g) ?? []).length;
    const lower = (body.match(/[a-z]/g) ?? []).length;
    if (upper < 2 || lower < 2) return true;
  }
  return false;
}

/** `sk-proj-Ab…`: the prefix and two more characters, never the key. */
export function maskKey(prefix: string, body: string): string {
  return `${prefix}${body.slice(0, 2)}…`;
}

/** Masks a value of unknown shape: its first four characters (at most a quarter of it), then `…`. */
export function maskValue(value: string): string {
  const visible = Math.min(4, Math.floor(value.length / 4));
  return `${value.slice(0, visible)}…`;
}

/**
 * Every provider key in `text`, in order of position: its offsets, provider, the environment
 * variable the provider's SDKs read, and a masked spelling for messages. Placeholders and
 * filler (`sk-proj-xxxx…`, `…EXAMPLE…`) are not returned.
 */
export function findKeysInText(text: string): KeyMatch[] {
  if (!PREFIXES.some((p) => text.includes(p))) return [];
  const found: KeyMatch[] = [];
  for (const format of KEY_FORMATS) {
    format.pattern.lastIndex = 0;
    for (let m = format.pattern.exec(text); m; m = format.pattern.exec(text)) {
      const [whole, prefix, body] = m;
      if (isFillerBody(body.replace(/T3BlbkFJ/, ''), format.mixedCase)) continue;
      const start = m.index;
      // Formats never overlap by construction, but a key must not be reported twice.
      if (found.some((f) => start < f.end && f.start < start + whole.length)) continue;
      found.push({
        start,
        end: start + whole.length,
        provider: format.provider,
        description: format.description,
        envVar: format.envVar,
        confidence: format.confidence,
        masked: maskKey(prefix, body),
      });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** What documentation and templates write where a credential goes. */
const PLACEHOLDER =
  /x{3,}|\*{3,}|\.{3}|…|<[^>]*>|\$\{|\{\{|%\(|\$\(|\byour|your[-_ ]|example|sample|placeholder|dummy|redacted|changeme|change[-_]me|replace|insert|todo|fixme|fake|not[-_ ]?(a[-_ ]?)?(real|needed|required|used|set)|no[-_ ]?key|test[-_]?key|secret[-_]?here|key[-_]?here/i;

/**
 * Whether a string literal given as an API key could be a real credential of unknown shape
 * (Azure, Mistral, Cohere, DeepSeek… keys have no prefix): long, no spaces, random-looking, and
 * not a placeholder, an environment variable's name, a URL or a phrase (`sk-no-key-required`,
 * `EMPTY` for local servers).
 */
export function looksLikeSecretValue(value: string): boolean {
  if (value.length < 20 || value.length > 400 || /\s/.test(value)) return false;
  if (PLACEHOLDER.test(value)) return false;
  // `OPENAI_API_KEY`: the name of a variable, not its value.
  if (/^[A-Z][A-Z0-9_]*$/.test(value)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.includes('/')) return false;
  // Words joined by separators: `sk-no-key-required-for-local`, `my-local-llm-server`.
  if (/^[A-Za-z]+([-_.][A-Za-z]+)+$/.test(value)) return false;
  if (longestRun(value) >= 6 || longestSequence(value) >= 7) return false;
  return shannonEntropy(value) >= 3.2;
}

/** Whether `value` is a placeholder (`sk-...`, `YOUR_KEY`, `<key>`, `${OPENAI_API_KEY}`, `…EXAMPLE`). */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value) || (findKeysInText(value).length === 0 && !looksLikeSecretValue(value));
}

/** Provider name fragments in environment variable names: `OPENAI_API_KEY`, `VITE_GEMINI_KEY`. */
const AI_PROVIDER_NAME =
  /(OPEN_?AI|ANTHROPIC|CLAUDE|GEMINI|GOOGLE_(GENERATIVE_)?AI|GOOGLE_API|GENAI|GROQ|GROK|XAI|MISTRAL|COHERE|(^|_)CO_API|HUGGING_?FACE|(^|_)HF(_|$)|REPLICATE|PERPLEXITY|PPLX|OPENROUTER|TOGETHER|FIREWORKS|DEEPSEEK|PINECONE|LANGCHAIN|LANGSMITH|LLAMA_?CLOUD|ELEVENLABS|VOYAGE|(^|_)AI_|(^|_)LLM)/i;
const CREDENTIAL_NAME = /(KEY|TOKEN|SECRET)($|_)/i;

/** Whether an environment variable name holds an AI provider credential: `OPENAI_API_KEY`, `HF_TOKEN`, `NEXT_PUBLIC_GEMINI_KEY`. */
export function isAiKeyEnvName(name: string): boolean {
  return AI_PROVIDER_NAME.test(name) && CREDENTIAL_NAME.test(name);
}
