// Is this config value a credential? The AI-provider formats come from secret-formats.ts; MCP
// servers mostly hold tokens for the services they bridge (GitHub, Slack, Notion, Linear, Stripe,
// databases…), so their well-documented prefixes are added here. A value with no known shape
// counts when its name says credential and it looks random. References (`${env:X}`, `${input:x}`,
// `$X`) and placeholders never count.
import { findKeysInText, isFillerBody, looksLikeSecretValue, maskKey, maskValue } from '../../secret-formats';

export interface SecretMatch {
  /** Indices into the examined value. */
  from: number;
  to: number;
  /** "a GitHub personal access token", "a literal API key". */
  description: string;
  /** How to name it in a message without repeating it. */
  masked: string;
  /** The environment variable such a credential usually lives in. */
  envVar?: string;
  confidence: 'high' | 'medium';
}

interface ServiceFormat {
  description: string;
  envVar: string;
  pattern: RegExp;
  /** The random part (capture group 2) uses both letter cases. */
  mixedCase: boolean;
}

const LEFT = String.raw`(?<![A-Za-z0-9_+/-])`;

/** Service token shapes (prefix, alphabet, length), from the services' own documentation. */
const SERVICE_FORMATS: readonly ServiceFormat[] = [
  { description: 'a GitHub personal access token', envVar: 'GITHUB_PERSONAL_ACCESS_TOKEN', pattern: new RegExp(`${LEFT}(gh[pousr]_)([A-Za-z0-9]{36})(?![A-Za-z0-9_])`, 'g'), mixedCase: true },
  { description: 'a GitHub fine-grained access token', envVar: 'GITHUB_PERSONAL_ACCESS_TOKEN', pattern: new RegExp(`${LEFT}(github_pat_)([A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])`, 'g'), mixedCase: true },
  { description: 'a GitLab access token', envVar: 'GITLAB_PERSONAL_ACCESS_TOKEN', pattern: new RegExp(`${LEFT}(glpat-)([A-Za-z0-9_-]{20})(?![A-Za-z0-9_-])`, 'g'), mixedCase: true },
  { description: 'a Slack token', envVar: 'SLACK_BOT_TOKEN', pattern: new RegExp(`${LEFT}(xox[abposr]-)((?:\\d+-)+[A-Za-z0-9]{16,})(?![A-Za-z0-9-])`, 'g'), mixedCase: false },
  { description: 'a Stripe secret key', envVar: 'STRIPE_SECRET_KEY', pattern: new RegExp(`${LEFT}((?:sk|rk)_(?:live|test)_)([A-Za-z0-9]{24,})(?![A-Za-z0-9])`, 'g'), mixedCase: true },
  { description: 'a Notion integration token', envVar: 'NOTION_TOKEN', pattern: new RegExp(`${LEFT}(ntn_|secret_)([A-Za-z0-9]{40,50})(?![A-Za-z0-9])`, 'g'), mixedCase: true },
  { description: 'a Linear API key', envVar: 'LINEAR_API_KEY', pattern: new RegExp(`${LEFT}(lin_api_)([A-Za-z0-9]{40})(?![A-Za-z0-9])`, 'g'), mixedCase: true },
  { description: 'an AWS access key id', envVar: 'AWS_ACCESS_KEY_ID', pattern: new RegExp(`${LEFT}((?:AKIA|ASIA))([A-Z0-9]{16})(?![A-Z0-9])`, 'g'), mixedCase: false },
  { description: 'a Supabase access token', envVar: 'SUPABASE_ACCESS_TOKEN', pattern: new RegExp(`${LEFT}(sbp_)([a-f0-9]{40})(?![A-Za-z0-9])`, 'g'), mixedCase: false },
  { description: 'an npm access token', envVar: 'NPM_TOKEN', pattern: new RegExp(`${LEFT}(npm_)([A-Za-z0-9]{36})(?![A-Za-z0-9])`, 'g'), mixedCase: true },
  { description: 'a Sentry auth token', envVar: 'SENTRY_AUTH_TOKEN', pattern: new RegExp(`${LEFT}(sntry[su]_)([A-Za-z0-9+/=_-]{40,})`, 'g'), mixedCase: true },
  { description: 'a Figma access token', envVar: 'FIGMA_API_KEY', pattern: new RegExp(`${LEFT}(figd_)([A-Za-z0-9_-]{40,})`, 'g'), mixedCase: true },
  { description: 'an Atlassian API token', envVar: 'ATLASSIAN_API_TOKEN', pattern: new RegExp(`${LEFT}(ATATT3)([A-Za-z0-9_=-]{100,})`, 'g'), mixedCase: true },
  { description: 'an Airtable access token', envVar: 'AIRTABLE_API_KEY', pattern: new RegExp(`${LEFT}(pat)([A-Za-z0-9]{14}\\.[a-f0-9]{64})(?![A-Za-z0-9])`, 'g'), mixedCase: true },
];

/** Known credential shapes anywhere in `text`. */
export function findCredentials(text: string): SecretMatch[] {
  const out: SecretMatch[] = findKeysInText(text).map((k) => ({ from: k.start, to: k.end, description: k.description, masked: k.masked, envVar: k.envVar, confidence: k.confidence }));
  for (const format of SERVICE_FORMATS) {
    format.pattern.lastIndex = 0;
    for (let m = format.pattern.exec(text); m; m = format.pattern.exec(text)) {
      if (isFillerBody(m[2].replace(/[_.-]/g, ''), format.mixedCase)) continue;
      if (out.some((o) => m!.index < o.to && o.from < m!.index + m![0].length)) continue;
      out.push({ from: m.index, to: m.index + m[0].length, description: format.description, masked: maskKey(m[1], m[2]), envVar: format.envVar, confidence: 'high' });
    }
  }
  return out.sort((a, b) => a.from - b.from);
}

/** `${env:X}`, `${input:x}`, `${X}`, `$X`, `{env:X}`, `%X%`: a value filled in by the client or the shell. */
export function isReference(value: string): boolean {
  return /\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{env:[^}]+\}|%[A-Za-z_][A-Za-z0-9_]*%/.test(value);
}

/** Names that say "credential": `GITHUB_TOKEN`, `api-key`, `DB_PASSWORD`, `X-Api-Key`, `clientSecret`. */
const CREDENTIAL_NAME = /(^|[_\-.\s]|[a-z](?=[A-Z]))(token|secret|password|passwd|pwd|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth|credentials?|pat|key|cookie|session)(s)?($|[_\-.\s]|(?<=[a-z])(?=[A-Z]))/i;
/** …but not names of where a credential is, or of public identifiers. */
const NOT_CREDENTIAL = /(_|-|\b)(path|file|dir|url|uri|endpoint|host|id|name|type|mode|env|var|header|prefix|format|region|scope|scopes|expiry|expires|ttl|length|count|enabled|required)$|(^|_|-)(public|publishable)[_-]?key$|^(auth_?type|auth_?mode|authentication_?type)$/i;

export function isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name) && !NOT_CREDENTIAL.test(name);
}

const PASSWORD_NAME = /(password|passwd|pwd|secret)/i;

/**
 * Whether `value`, stored under `name` (an env var, header or option name), holds a literal
 * credential, and where in it. Known token shapes count under any name; other values only under
 * a credential name, when they look random (or, for passwords, are not a placeholder).
 */
export function literalSecret(name: string | undefined, value: string): SecretMatch | undefined {
  const trimmed = value.trim();
  if (trimmed === '' || isReference(trimmed)) return undefined;
  const known = findCredentials(value)[0];
  if (known) return known;
  if (!name || !isCredentialName(name)) return undefined;
  // `Bearer abc…` / `Basic …` / `token abc…`: judge the credential after the scheme.
  const scheme = /^(bearer|basic|token|apikey|api-key|key)\s+/i.exec(trimmed);
  const lead = value.indexOf(trimmed) + (scheme?.[0].length ?? 0);
  const credential = value.slice(lead).trim();
  if (credential === '' || isReference(credential)) return undefined;
  const random = looksLikeSecretValue(credential);
  const password = PASSWORD_NAME.test(name) && credential.length >= 8 && !PLACEHOLDER.test(credential) && /[0-9]/.test(credential) && /[A-Za-z]/.test(credential) && !/\s/.test(credential);
  if (!random && !password) return undefined;
  return { from: lead, to: lead + credential.length, description: PASSWORD_NAME.test(name) ? 'a literal password' : 'a literal credential', masked: maskValue(credential), confidence: random ? 'high' : 'medium' };
}

/** Documentation fillers, as in secret-formats (kept local: that one is not exported). */
const PLACEHOLDER = /x{3,}|\*{3,}|\.{3}|…|<[^>]*>|\byour|your[-_ ]|example|sample|placeholder|dummy|redacted|changeme|change[-_]me|replace|insert|todo|fixme|fake|password123|^pass(word)?$/i;

/** The password of a `scheme://user:password@host` URL, as indices into the value. */
export function urlPassword(value: string): { from: number; to: number } | undefined {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]+:)([^@/?#\s]+)@/i.exec(value.trim());
  if (!m) return undefined;
  const password = m[2];
  if (isReference(password) || PLACEHOLDER.test(password) || password.length < 3) return undefined;
  const from = value.indexOf(m[0]) + m[1].length;
  return { from, to: from + password.length };
}

/** Query parameters carrying credentials in a URL: `?api_key=…&token=…` (not references). */
export function urlQuerySecrets(value: string): { name: string; from: number; to: number }[] {
  const q = value.indexOf('?');
  if (q < 0) return [];
  const out: { name: string; from: number; to: number }[] = [];
  const re = /[?&]([^=&#]+)=([^&#]*)/g;
  re.lastIndex = q;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const [, name, v] = m;
    if (!/^(api[_-]?key|apikey|key|token|access[_-]?token|auth|secret|password|client[_-]?secret)$/i.test(name)) continue;
    if (v === '' || isReference(v) || PLACEHOLDER.test(v) || v.length < 12) continue;
    const from = m.index + m[0].length - v.length;
    out.push({ name, from, to: from + v.length });
  }
  return out;
}
