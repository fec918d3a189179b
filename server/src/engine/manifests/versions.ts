// Python version numbers and version specifiers, as far as a scanner needs them: order two
// versions (PEP 440), and read the lowest version a specifier allows and whether it pins one
// exactly. Specifier dialects: PEP 440 (`>=2.6,<3`, `~=2.6`, `==2.6.*`, `===2.6`), Poetry
// (`^2.6`, `~2.6`, bare `2.6.0`, `||` alternatives) and conda match specs (`=2.6`, `2.6.*`, `|`).

interface ParsedVersion {
  epoch: number;
  release: number[];
  /** [rank, number]: a < b < rc; undefined for a final release. */
  pre?: [number, number];
  post?: number;
  dev?: number;
  local?: string;
}

const VERSION = /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d*))?(?:[-_.]?(dev)[-_.]?(\d*))?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;

const PRE_RANK: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

export function parseVersion(text: string): ParsedVersion | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  const version: ParsedVersion = { epoch: m[1] ? Number(m[1]) : 0, release: m[2].split('.').map(Number) };
  if (m[3]) version.pre = [PRE_RANK[m[3].toLowerCase()], m[4] ? Number(m[4]) : 0];
  if (m[5] !== undefined) version.post = Number(m[5]);
  else if (m[6]) version.post = m[7] ? Number(m[7]) : 0;
  if (m[8]) version.dev = m[9] ? Number(m[9]) : 0;
  if (m[10]) version.local = m[10].toLowerCase();
  return version;
}

export function isVersion(text: string): boolean {
  return parseVersion(text) !== undefined;
}

/**
 * PEP 440 order: negative when a < b. Text that is not a version sorts before every version
 * (so an unreadable bound never looks high enough to relax a check).
 */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return x ? 1 : y ? -1 : 0;
  if (x.epoch !== y.epoch) return x.epoch - y.epoch;
  const length = Math.max(x.release.length, y.release.length);
  for (let i = 0; i < length; i++) {
    const d = (x.release[i] ?? 0) - (y.release[i] ?? 0);
    if (d !== 0) return d;
  }
  // 2.6.dev1 < 2.6a1 < 2.6rc1 < 2.6 < 2.6.post1: a dev release of a final version sorts before its pre-releases.
  const preKey = (v: ParsedVersion): [number, number] => (v.pre ? v.pre : v.dev !== undefined && v.post === undefined ? [-1, 0] : [3, 0]);
  const [xr, xn] = preKey(x);
  const [yr, yn] = preKey(y);
  if (xr !== yr) return xr - yr;
  if (xn !== yn) return xn - yn;
  const postKey = (v: ParsedVersion) => v.post ?? -1;
  if (postKey(x) !== postKey(y)) return postKey(x) - postKey(y);
  const devKey = (v: ParsedVersion) => v.dev ?? Number.POSITIVE_INFINITY;
  if (devKey(x) !== devKey(y)) return devKey(x) < devKey(y) ? -1 : 1;
  if (x.local !== y.local) return x.local === undefined ? -1 : y.local === undefined ? 1 : x.local < y.local ? -1 : 1;
  return 0;
}

export interface VersionBounds {
  /** The version a specifier pins exactly (`==2.6.0`, `===2.6.0`, Poetry's bare `2.6.0`). */
  exactVersion?: string;
  /**
   * The lowest version the specifier allows, when it has a lower bound in every alternative.
   * `>2.5` counts as 2.5: that is lower than anything it allows, so "at least X" stays conservative.
   */
  minimumVersion?: string;
}

/** A version with a trailing `.*` wildcard dropped, or undefined when it is not a version. */
function versionPart(text: string): string | undefined {
  const v = text.trim().replace(/\.\*$/, '');
  return isVersion(v) ? v : undefined;
}

/** Bounds of one comma/space-separated clause list (all clauses must hold). */
function clauseBounds(clauses: string[], dialect: 'pep440' | 'poetry' | 'conda'): VersionBounds {
  const out: VersionBounds = {};
  const raise = (v: string | undefined) => {
    if (v && (!out.minimumVersion || compareVersions(v, out.minimumVersion) > 0)) out.minimumVersion = v;
  };
  for (const raw of clauses) {
    const clause = raw.trim();
    if (!clause || clause === '*') continue;
    const m = /^(===|==|~=|>=|<=|!=|>|<|\^|~|=)?\s*(.+)$/.exec(clause);
    if (!m) continue;
    const op = m[1] ?? (dialect === 'pep440' ? '' : dialect === 'poetry' ? '==' : '=');
    const value = m[2].trim();
    const version = versionPart(value);
    if (!version) continue;
    switch (op) {
      case '===':
      case '==':
        raise(version);
        if (!value.endsWith('*')) out.exactVersion = version;
        break;
      case '~=':
      case '>=':
      case '>':
      case '^':
      case '~':
      case '=': // conda's fuzzy `=2.6` (2.6.*)
        raise(version);
        break;
      default: // `<`, `<=`, `!=` give no lower bound
        break;
    }
  }
  if (out.exactVersion && out.minimumVersion && compareVersions(out.exactVersion, out.minimumVersion) !== 0) out.exactVersion = undefined;
  return out;
}

/**
 * The bounds a specifier gives. Alternatives (`||` in Poetry, `|` in conda) allow the union, so the
 * minimum is the lowest of theirs, and none when one alternative has no lower bound.
 */
export function specifierBounds(specifier: string, dialect: 'pep440' | 'poetry' | 'conda' = 'pep440'): VersionBounds {
  const text = specifier.trim().replace(/^\((.*)\)$/, '$1');
  if (!text) return {};
  const alternatives = dialect === 'pep440' ? [text] : text.split(/\|\|?/);
  let result: VersionBounds | undefined;
  for (const alternative of alternatives) {
    // PEP 440 separates clauses with commas; Poetry and conda also accept spaces between clauses.
    const clauses = dialect === 'pep440' ? alternative.split(',') : alternative.split(/,|\s+(?=[<>=!~^])/);
    const bounds = clauseBounds(clauses, dialect);
    if (!bounds.minimumVersion) return {};
    if (!result) result = bounds;
    else {
      const lower = compareVersions(bounds.minimumVersion, result.minimumVersion!) < 0 ? bounds.minimumVersion : result.minimumVersion;
      result = { minimumVersion: lower };
    }
  }
  return result ?? {};
}

/** Whether `version` is at least `threshold` (false when either is unreadable). */
export function atLeast(version: string | undefined, threshold: string): boolean {
  return version !== undefined && isVersion(version) && compareVersions(version, threshold) >= 0;
}
