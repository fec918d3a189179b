// Shared by the e2e drivers: start Debian's chromium through playwright-core (installed by
// setup.sh into $AIRLOCK_E2E_TOOLS, not a project dependency) with a throwaway profile.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOOLS = process.env.AIRLOCK_E2E_TOOLS;
if (!TOOLS) throw new Error('AIRLOCK_E2E_TOOLS is not set: run the e2e tests with `npm run test:e2e`');
const { chromium } = createRequire(join(TOOLS, 'node_modules', '.tools'))('playwright-core');

export async function launchBrowser() {
  const profile = mkdtempSync(join(process.env.TMPDIR || tmpdir(), 'airlock-chromium-'));
  // Playwright refuses --user-data-dir in args; a persistent context takes the fresh folder itself.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
