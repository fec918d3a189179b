// Where a URL points: this machine, a private network, or the internet. Read from the text only
// (no DNS): names are judged by their form.

export type Reach = 'loopback' | 'private' | 'public' | 'unknown';

export interface ParsedUrl {
  scheme: string;
  host: string;
  /** user:password@ in the authority. */
  credentials: boolean;
  /** Query parameters whose names look like credentials (`?api_key=`, `&token=`). */
  secretParams: string[];
}

const SECRET_PARAM = /^(api[_-]?key|apikey|key|token|access[_-]?token|auth|authorization|secret|password|pass|pwd|sig|signature|client[_-]?secret)$/i;

export function parseUrl(value: string): ParsedUrl | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?/i.exec(value.trim());
  if (!m) return undefined;
  const authority = m[2];
  const at = authority.lastIndexOf('@');
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  const host = (hostPort.startsWith('[') ? hostPort.slice(0, hostPort.indexOf(']') + 1) : hostPort.replace(/:\d*$/, '')).toLowerCase();
  const secretParams: string[] = [];
  for (const pair of (m[4] ?? '').slice(1).split('&')) {
    const [name, v] = pair.split('=');
    if (name && v && SECRET_PARAM.test(decodeURIComponentSafe(name))) secretParams.push(name);
  }
  return { scheme: m[1].toLowerCase(), host, credentials: at >= 0 && authority.slice(0, at).includes(':'), secretParams };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Whether a host is this machine, a private network, or public. Placeholders give 'unknown'. */
export function reachOf(host: string): Reach {
  if (!host || /[${}%<>]/.test(host)) return 'unknown';
  const h = host.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '0.0.0.0' || h === '::' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === 'host.docker.internal' || h === 'host.containers.internal') return 'loopback';
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)) return 'private';
    return 'public';
  }
  if (/^f[cd][0-9a-f]{2}:/i.test(h) || /^fe80:/i.test(h)) return 'private';
  // Single-label names (docker compose services, intranet hosts) and reserved internal suffixes.
  if (!h.includes('.') || /\.(local|internal|lan|home\.arpa|intranet|corp|private)$/.test(h)) return 'private';
  return 'public';
}

/** Hosts of the model vendors themselves (and their cloud front doors). */
export function isVendorHost(host: string): boolean {
  const h = host.toLowerCase();
  return (
    /(^|\.)(anthropic\.com|claude\.ai|openai\.com|googleapis\.com|openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com|amazonaws\.com|githubcopilot\.com|mistral\.ai|x\.ai|groq\.com|deepseek\.com|openrouter\.ai)$/.test(h)
  );
}
