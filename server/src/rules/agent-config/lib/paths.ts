// How much of a machine a path opens: the root, a home folder, a system or credentials folder.
// Read from the text only; `~`, `$HOME` and the usual per-OS home layouts are recognised.

/**
 * Whether a path opens a whole machine or a whole home: `/`, `C:\`, `~`, `$HOME`, `/Users/me`,
 * `/home/me`, `C:\Users\me`, system folders, and credential folders inside a home. Returns how
 * to say it, or undefined for a project-sized path.
 */
export function broadPath(raw: string): string | undefined {
  const p = raw.trim().replace(/\\/g, '/').replace(/\/+$/, '') || (raw.trim().startsWith('/') || raw.trim().startsWith('\\') ? '/' : '');
  if (p === '') return undefined;
  if (p === '/' || p === '//' || /^[A-Za-z]:\/?$/.test(p)) return 'the whole file system';
  const home = /^(~|\$HOME|\$\{HOME\}|\$\{env:HOME\}|\$\{userHome\}|%USERPROFILE%|%HOMEPATH%|\/Users\/[^/]+|\/home\/[^/]+|\/root|[A-Za-z]:\/Users\/[^/]+|\/var\/root)(\/.*)?$/i.exec(p);
  if (home) {
    const inside = home[2] ?? '';
    if (inside === '') return 'the whole home folder';
    if (/^\/(\.ssh|\.aws|\.gnupg|\.config|\.kube|\.docker|\.azure|\.netrc|\.npmrc|\.pypirc|\.git-credentials|\.gcloud|Library\/Keychains|AppData)(\/|$)/i.test(inside)) return 'a folder of credentials';
    return undefined;
  }
  if (/^\/(etc|usr|var|bin|sbin|boot|lib|lib64|proc|sys|dev|opt|private|System|Library|Applications)$/i.test(p) || /^[A-Za-z]:\/(Windows|Program Files|Program Files \(x86\)|ProgramData|Users)$/i.test(p) || p === '/Users' || p === '/home') return 'a system folder';
  return undefined;
}
