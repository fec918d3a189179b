// Provider key formats on raw text (the same detection the secrets rule applies to string
// literals, and that runs over .env, JSON, YAML and notebooks). Keys are generated here from a
// seeded generator, so no key-shaped literal sits in this file for other scanners to trip on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findKeysInText, isAiKeyEnvName, isFillerBody, isPlaceholder, looksLikeSecretValue, maskValue, shannonEntropy, type Provider } from '../../server/src/rules/secret-formats';
import { seededRandom } from '../harness/random';


const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const URLSAFE = `${ALNUM}_-`;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const HEX = '0123456789abcdef';

function random(next: () => number, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
  return out;
}

/** The marker every OpenAI key carries, assembled so the literal is not in this file. */
const MARKER = ['T3Bl', 'bkFJ'].join('');

/** A random, well-formed key of each provider: prefix and body. */
const MAKERS: Record<Provider, (next: () => number) => [prefix: string, body: string]> = {
  openai: (n) => ['sk-proj-', `${random(n, URLSAFE, 74)}${MARKER}${random(n, URLSAFE, 74)}`],
  anthropic: (n) => ['sk-ant-api03-', `${random(n, URLSAFE, 93)}AA`],
  huggingface: (n) => ['hf_', random(n, LETTERS, 34)],
  google: (n) => ['AIza', random(n, URLSAFE, 35)],
  groq: (n) => ['gsk_', random(n, ALNUM, 52)],
  openrouter: (n) => ['sk-or-v1-', random(n, HEX, 64)],
  replicate: (n) => ['r8_', random(n, ALNUM, 37)],
  langsmith: (n) => ['lsv2_pt_', `${random(n, HEX, 32)}_${random(n, HEX, 10)}`],
  pinecone: (n) => ['pcsk_', `${random(n, ALNUM, 5)}_${random(n, ALNUM, 63)}`],
  xai: (n) => ['xai-', random(n, ALNUM, 80)],
  perplexity: (n) => ['pplx-', random(n, ALNUM, 48)],
};

function key(provider: Provider, seed = 1): string {
  const [prefix, body] = MAKERS[provider](seededRandom(seed));
  return prefix + body;
}

describe('findKeysInText', () => {
  for (const provider of Object.keys(MAKERS) as Provider[]) {
    it(`finds ${provider} keys in .env, JSON, YAML, code and notebook text, at exact offsets`, () => {
      const k = key(provider);
      const contexts = [
        `${provider.toUpperCase()}_API_KEY=${k}\n`,
        `{"api_key": "${k}"}`,
        `auth:\n  token: ${k}\n`,
        `client = Client(api_key='${k}')`,
        `"source": ["import os\\n${k}\\n"]`,
        `curl -H "Authorization: Bearer ${k}" https://example.invalid`,
      ];
      for (const text of contexts) {
        const found = findKeysInText(text);
        assert.equal(found.length, 1, `one key in: ${text.replace(k, '<key>')}`);
        assert.equal(found[0].provider, provider);
        assert.equal(text.slice(found[0].start, found[0].end), k);
      }
    });
  }

  it('masks all but the prefix and two characters', () => {
    const k = key('openai');
    const [match] = findKeysInText(`OPENAI_API_KEY=${k}`);
    assert.equal(match.masked, `sk-proj-${k.slice(8, 10)}…`);
    assert.ok(!match.masked.includes(k.slice(8, 20)));
    assert.equal(findKeysInText(key('anthropic'))[0].masked.startsWith('sk-ant-api03-'), true);
  });

  it('names the environment variable the provider SDKs read', () => {
    assert.equal(findKeysInText(key('openai'))[0].envVar, 'OPENAI_API_KEY');
    assert.equal(findKeysInText(key('anthropic'))[0].envVar, 'ANTHROPIC_API_KEY');
    assert.equal(findKeysInText(key('huggingface'))[0].envVar, 'HF_TOKEN');
    assert.equal(findKeysInText(key('replicate'))[0].envVar, 'REPLICATE_API_TOKEN');
  });

  it('accepts the legacy, service-account and admin OpenAI shapes', () => {
    const n = seededRandom(7);
    const legacy = `sk-${random(n, ALNUM, 20)}${MARKER}${random(n, ALNUM, 20)}`;
    const service = `sk-svcacct-${random(n, URLSAFE, 58)}${MARKER}${random(n, URLSAFE, 58)}`;
    const admin = `sk-admin-${random(n, URLSAFE, 58)}${MARKER}${random(n, URLSAFE, 58)}`;
    for (const k of [legacy, service, admin]) assert.equal(findKeysInText(`"${k}"`)[0]?.provider, 'openai', k.slice(0, 12));
  });

  it('finds every key of a text, in order', () => {
    const text = `A=${key('groq')}\nB=${key('xai')}\nC=${key('huggingface')}\n`;
    assert.deepEqual(findKeysInText(text).map((f) => f.provider), ['groq', 'xai', 'huggingface']);
  });

  it('rarely misses a real key: 500 random keys of each format are all found', () => {
    for (const provider of Object.keys(MAKERS) as Provider[]) {
      let missed = 0;
      for (let seed = 100; seed < 600; seed++) if (findKeysInText(`"${key(provider, seed)}"`).length !== 1) missed++;
      assert.equal(missed, 0, `${provider}: ${missed} of 500 random keys missed`);
    }
  });

  it('rejects wrong lengths and alphabets', () => {
    const n = seededRandom(3);
    const cases = [
      `gsk_${random(n, ALNUM, 51)}`, // one short
      `gsk_${random(n, ALNUM, 53)}`, // one long
      `sk-or-v1-${random(n, HEX, 63)}g`, // not hex
      `hf_${random(n, LETTERS, 33)}`,
      `hf_${random(n, LETTERS, 30)}1234`, // digits in an HF token
      `sk-ant-api03-${random(n, URLSAFE, 93)}BB`, // wrong checksum suffix
      `sk-proj-${random(n, URLSAFE, 60)}${MARKER}${random(n, URLSAFE, 60)}`, // neither 58 nor 74
      `sk-${random(n, ALNUM, 48)}`, // no OpenAI marker (other OpenAI-compatible vendors)
      `AIza${random(n, URLSAFE, 34)}`,
    ];
    for (const text of cases) assert.deepEqual(findKeysInText(`"${text}"`), [], text.slice(0, 12));
  });

  it('does not find keys inside longer tokens', () => {
    for (const text of [`x${key('groq')}`, `my_hf_${random(seededRandom(4), LETTERS, 34)}`, `${key('xai')}Z`, `base64+${key('google')}`]) {
      assert.deepEqual(findKeysInText(text), [], text.slice(0, 10));
    }
  });

  it('ignores placeholders and filler shaped like keys', () => {
    const cases = [
      'OPENAI_API_KEY=sk-...',
      'OPENAI_API_KEY=sk-proj-xxxxxxxx',
      `OPENAI_API_KEY=sk-proj-${'x'.repeat(74)}${MARKER}${'x'.repeat(74)}`,
      `ANTHROPIC_API_KEY=sk-ant-api03-${'A'.repeat(93)}AA`,
      `GROQ_API_KEY=gsk_${'EXAMPLEKeyShape'.repeat(4).slice(0, 52)}`,
      `HF_TOKEN=hf_${'abcdefghijklmnopqrstuvwxyz'}ABCDEFGH`,
      `HF_TOKEN=hf_${'x'.repeat(34)}`,
      `XAI_API_KEY=xai-${'YourApiKeyHere'.repeat(6).slice(0, 80)}`,
      `PERPLEXITY_API_KEY=pplx-${'0123456789'.repeat(5).slice(0, 48)}`,
      `GOOGLE_API_KEY=AIza${'SyabcdefghijklmnopqrstuvwxyzABC1234'}`,
      'HF_TOKEN=hf_requiredCharacteristicTypesForDisplayMetadata',
      'token = "${HF_TOKEN}"',
      'hf_hub_download(repo_id="gpt2")',
    ];
    for (const text of cases) assert.deepEqual(findKeysInText(text), [], text);
  });

  it('needs both letter cases in mixed-case formats (identifiers are mostly one case)', () => {
    assert.ok(isFillerBody('requiredcharacteristictypesfordis', true));
    assert.ok(!isFillerBody('rEqUiredCharacteristicTypesForDis', true));
  });
});

describe('placeholders and keys of unknown shape', () => {
  it('recognizes documentation placeholders', () => {
    for (const value of ['sk-...', 'YOUR_API_KEY', '<key>', '<your-openai-key>', 'sk-xxxx', '${OPENAI_API_KEY}', '{{ api_key }}', 'sk-proj-EXAMPLE', 'REPLACE_ME_WITH_A_KEY', 'changeme', 'sk-…', 'your-api-key-here']) {
      assert.ok(isPlaceholder(value), value);
      assert.ok(!looksLikeSecretValue(value), value);
    }
  });

  it('takes long random values as credentials, and names, URLs, phrases and local dummies as not', () => {
    const n = seededRandom(11);
    for (const value of [random(n, HEX, 32), random(n, ALNUM, 40), `sk-${random(n, HEX, 32)}`]) assert.ok(looksLikeSecretValue(value), value);
    for (const value of ['EMPTY', 'ollama', 'lm-studio', 'sk-no-key-required', 'not-needed-for-local-server', 'OPENAI_API_KEY', 'https://api.openai.com/v1/chat', 'settings.openai_api_key', 'aaaaaaaaaaaaaaaaaaaaaaaa', 'abcdefghijklmnopqrstuvwx', 'a key with spaces in it here']) {
      assert.ok(!looksLikeSecretValue(value), value);
    }
  });

  it('masks values of unknown shape to at most four characters', () => {
    assert.equal(maskValue('3f9c2e7a51b84d06a9e1c7f25d3b8a40'), '3f9c…');
    assert.equal(maskValue('short'), 's…');
  });

  it('measures entropy', () => {
    assert.equal(shannonEntropy(''), 0);
    assert.equal(shannonEntropy('aaaa'), 0);
    assert.equal(shannonEntropy('abcd'), 2);
  });
});

describe('isAiKeyEnvName', () => {
  it('knows AI provider credentials by name', () => {
    for (const name of ['OPENAI_API_KEY', 'NEXT_PUBLIC_OPENAI_API_KEY', 'VITE_OPENAI_KEY', 'ANTHROPIC_API_KEY', 'HF_TOKEN', 'HUGGINGFACEHUB_API_TOKEN', 'GEMINI_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY', 'GROQ_API_KEY', 'REACT_APP_AI_KEY', 'LANGSMITH_API_KEY', 'PINECONE_API_KEY', 'CO_API_KEY']) {
      assert.ok(isAiKeyEnvName(name), name);
    }
    for (const name of ['DATABASE_PASSWORD', 'NEXT_PUBLIC_POSTHOG_KEY', 'OPENAI_MODEL', 'VITE_API_BASE_URL', 'STRIPE_SECRET_KEY', 'NEXT_PUBLIC_SUPABASE_ANON_KEY', 'HF_HOME']) {
      assert.ok(!isAiKeyEnvName(name), name);
    }
  });
});
