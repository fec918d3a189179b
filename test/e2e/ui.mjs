// Drives the real VS Code workbench (code-server) in chromium, as a user would, on a copy of
// examples/rag-assistant with the packaged extension installed:
//   open backend/api.py → squiggle and Problems-panel rows with rule ids → quick fix chosen with
//   the keyboard → text changes and that diagnostic clears → "Airlock: Scan Workspace" from the
//   command palette → progress → findings for files never opened (a binary model file, an MCP
//   config) in the Findings view, opened from the status bar → filter → fix-all preview → apply.
// Key screenshots are always saved to $ARTIFACTS; a failure adds one of the moment it failed.
// Env: CS_URL, WS (the workspace folder, on this machine), ARTIFACTS.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from './browser.mjs';

const { CS_URL, WS, ARTIFACTS } = process.env;
const started = Date.now();
const timings = {};
const steps = [];
const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
const log = (message) => console.log(`[${elapsed()} s] ${message}`);
const pass = (name, detail = '') => (steps.push({ name, ok: true, detail }), log(`ok - ${name}${detail ? `: ${detail}` : ''}`));

mkdirSync(ARTIFACTS, { recursive: true });
const browser = await launchBrowser();
const { page } = browser;
const consoleErrors = [];
page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));

async function shot(name) {
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  log(`screenshot ${path}`);
}

const squiggles = () => page.locator('.editor-instance .squiggly-warning, .editor-instance .squiggly-error');
const normalize = (text) => text.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();

/** Opens the quick input with F1 and accepts `text`: a command when it starts with '>', else a file. */
async function quickInput(text, rowText) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(text);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: rowText }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await page.keyboard.press('Enter');
}
const runCommand = (label) => quickInput(`>${label}`, label);

async function problemsRows() {
  return (await page.locator('.markers-panel .monaco-list-row').allInnerTexts()).map(normalize);
}

/** Rows of the Findings view (the tree the extension contributes). */
const resultsView = () => page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Findings' }) });
const resultsRow = (text) => resultsView().locator('.monaco-list-row', { hasText: text }).first();

async function setResultsFilter(text) {
  await runCommand('Airlock: Filter Findings');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(text);
  await page.keyboard.press('Enter');
  // The view's description (shown in the container title when it is the only view) says the filter took.
  await resultsView().locator(`.pane-header[aria-label*='match "${text}"']`).waitFor({ state: 'attached', timeout: 15_000 });
}

let exitCode = 0;
try {
  // 1. The workbench on the folder.
  await page.goto(`${CS_URL}/?folder=${encodeURIComponent(WS)}`, { waitUntil: 'domcontentloaded' });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'backend' }).waitFor({ timeout: 90_000 });
  timings.workbenchReadySec = Number(elapsed());
  pass('workbench loaded', `${timings.workbenchReadySec} s`);

  // 2. Open a Python file: squiggles from the language server.
  let t = Date.now();
  await quickInput('backend/api.py', 'api.py');
  await page.locator('.tab.active', { hasText: 'api.py' }).waitFor({ timeout: 30_000 });
  await squiggles().first().waitFor({ timeout: 90_000 });
  timings.openToSquiggleSec = (Date.now() - t) / 1000;
  const squigglesBefore = await squiggles().count();
  pass('squiggle on the opened file', `${timings.openToSquiggleSec} s after opening, ${squigglesBefore} squiggles`);
  // Hover the pickle.loads call: the hover shows the message and the rule id.
  // (a squiggle lies under the text layer, so move the mouse there rather than hover the element)
  const box = await squiggles().last().boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.locator('.monaco-hover', { hasText: 'pickle-deserialization' }).first().waitFor({ timeout: 15_000 });
  await shot('01-squiggle');
  await page.keyboard.press('Escape');

  // 3. Problems panel rows carry the rule ids.
  await runCommand('View: Focus Problems (Errors, Warnings, Infos)');
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'yaml-unsafe-load' }).first().waitFor({ timeout: 30_000 });
  const rows = await problemsRows();
  // A row reads "<message> airlock <rule id> [Ln 19, Col 16]": the source, then the code.
  const airlockRows = rows.filter((r) => / airlock [a-z-]+ \[Ln/.test(r)).map((r) => r.replace(/^.* (airlock [a-z-]+ \[Ln[^\]]*\])$/, '$1'));
  if (!airlockRows.some((r) => r.startsWith('airlock pickle-deserialization '))) throw new Error(`no pickle-deserialization row in the Problems panel: ${rows.join(' | ')}`);
  pass('Problems panel lists the findings with rule ids', airlockRows.join(' | '));
  await shot('02-problems-panel');

  // 4. Quick fix with the keyboard on `yaml.load(fh, Loader=yaml.FullLoader)` (line 12).
  await page.locator('.editor-instance .view-lines').first().click();
  await page.keyboard.press('Control+G');
  await page.keyboard.type('12:18');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Control+.');
  const fixTitle = 'Use `yaml.SafeLoader`';
  await page.locator('.action-widget .monaco-list-row', { hasText: fixTitle }).first().waitFor({ timeout: 30_000 });
  // The menu lays a pointer-blocking overlay over the page: choose with the arrow keys and Enter.
  for (let i = 0; i < 12 && !(await page.locator('.action-widget .monaco-list-row.focused', { hasText: fixTitle }).count()); i++) await page.keyboard.press('ArrowDown');
  await shot('03-quickfix-menu');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.editor-instance .view-lines')?.textContent.includes('Loader=yaml.SafeLoader'), null, { timeout: 30_000 });
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'yaml-unsafe-load' }).first().waitFor({ state: 'detached', timeout: 30_000 });
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'pickle-deserialization' }).first().waitFor({ timeout: 5_000 });
  const squigglesAfter = await squiggles().count();
  if (squigglesAfter >= squigglesBefore) throw new Error(`squiggles: ${squigglesBefore} before the fix, ${squigglesAfter} after`);
  pass('quick fix applied', `Loader=yaml.SafeLoader; yaml-unsafe-load gone from the Problems panel; squiggles ${squigglesBefore} → ${squigglesAfter}`);
  await shot('04-after-quickfix');
  await page.keyboard.press('Control+S');

  // 5. Scan Workspace from the command palette: progress, then the summary notification.
  t = Date.now();
  await runCommand('Airlock: Scan Workspace');
  const progress = page.locator('.statusbar-item', { hasText: /scanning workspace|Airlock/ }).locator('.codicon-sync.codicon-modifier-spin, .codicon-loading');
  await progress.first().waitFor({ timeout: 30_000 });
  const progressText = normalize(await page.locator('.statusbar').innerText());
  await shot('05-scan-progress');
  pass('scan shows progress', progressText.match(/[^|]*scanning[^|]*/i)?.[0]?.trim() ?? 'spinner on the Airlock status item');
  const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: 'Airlock scan finished' }).first();
  await toast.waitFor({ timeout: 180_000 });
  timings.scanSec = (Date.now() - t) / 1000;
  pass('scan finished', `${normalize(await toast.innerText())} (${timings.scanSec} s in the browser)`);

  // 6. The status bar item opens the Findings view; findings of files never opened are there.
  // The item's element id ends in its status bar id, airlock.status (prefixed by the extension id).
  await page.locator('.statusbar-item[id$="airlock.status"]').or(page.locator('.statusbar-item', { hasText: /^Airlock \d+$/ })).first().click();
  await resultsView().locator('.monaco-list-row', { hasText: 'Errors' }).first().waitFor({ timeout: 30_000 });
  await shot('06-results-view');
  const severityRows = (await resultsView().locator('.monaco-list-row[aria-level="1"]').allInnerTexts()).map(normalize);
  pass('status bar opens the Findings view', severityRows.join(' | '));

  await setResultsFilter('models/');
  await resultsRow('malicious-pickle-global').click();
  await resultsRow('reranker.pt').waitFor({ timeout: 15_000 });
  await resultsRow('chunk_embeddings.npy').waitFor({ timeout: 15_000 });
  pass('binary model files in the Findings view', 'reranker.pt and chunk_embeddings.npy under malicious-pickle-global');
  await setResultsFilter('.cursor');
  const mcpRule = resultsRow('mcp-insecure-transport');
  await mcpRule.click();
  await resultsRow('mcp.json').click();
  const mcpFinding = resultsView().locator('.monaco-list-row[aria-level="4"]').first();
  await mcpFinding.waitFor({ timeout: 15_000 });
  await shot('07-results-filtered');
  await mcpFinding.click();
  await page.locator('.tab.active', { hasText: 'mcp.json' }).waitFor({ timeout: 30_000 });
  pass('MCP config finding in the Findings view; clicking it opens the file', normalize(await mcpFinding.innerText()));
  await runCommand('Airlock: Clear Findings Filter');

  // 7. Fix all safe fixes: the Refactor Preview lists them first, each change unchecked until the
  //    user ticks it (VS Code's rule for changes that need confirmation). Tick one file, backend/
  //    models.py (never opened: an http:// download becomes https://), apply, and check the disk:
  //    that file changed, a file left unticked (.claude/settings.json) did not.
  const modelsPy = join(WS, 'backend', 'models.py');
  const claudeSettings = join(WS, '.claude', 'settings.json');
  const claudeBefore = readFileSync(claudeSettings, 'utf8');
  if (!readFileSync(modelsPy, 'utf8').includes('"http://models.acme-ai.example')) throw new Error('unexpected fixture: models.py changed');
  await runCommand('Airlock: Fix All Safe Fixes in Workspace');
  const previewRow = (text) => page.locator('.bulk-edit-panel .monaco-list-row', { hasText: text }).first();
  await previewRow('settings.json').waitFor({ timeout: 30_000 });
  await runCommand('View: Toggle Maximized Panel');
  await previewRow('models.py').waitFor({ timeout: 15_000 });
  const previewFiles = (await page.locator('.bulk-edit-panel .monaco-list-row[aria-level="1"]').allInnerTexts()).map(normalize);
  await previewRow('models.py').locator('.monaco-checkbox, input[type="checkbox"]').first().click();
  await shot('08-fix-all-preview');
  pass('fix-all shows the Refactor Preview first', previewFiles.join(' | '));
  await page.locator('.bulk-edit-panel .monaco-button', { hasText: /^Apply$/ }).first().click();
  for (let i = 0; i < 100 && !readFileSync(modelsPy, 'utf8').includes('"https://models.acme-ai.example'); i++) await page.waitForTimeout(200);
  if (!readFileSync(modelsPy, 'utf8').includes('"https://models.acme-ai.example')) throw new Error('models.py on disk still downloads over http:// after applying');
  if (readFileSync(claudeSettings, 'utf8') !== claudeBefore) throw new Error('.claude/settings.json changed although its fixes were not ticked');
  pass('fix-all applied the ticked file only', 'backend/models.py now downloads over https://; .claude/settings.json unchanged');
  await runCommand('View: Toggle Maximized Panel');
  await shot('09-after-fix-all');
} catch (err) {
  exitCode = 1;
  steps.push({ name: 'failure', ok: false, detail: String(err?.stack ?? err) });
  log(`not ok - ${err?.stack ?? err}`);
  await shot('99-failure').catch(() => {});
} finally {
  writeFileSync(join(ARTIFACTS, 'ui-results.json'), JSON.stringify({ steps, timings, totalSec: Number(elapsed()), consoleErrors: consoleErrors.slice(0, 30) }, null, 2));
  log(`timings ${JSON.stringify(timings)}`);
  await browser.close();
  console.log(`UI test: ${steps.filter((s) => s.ok).length} steps passed, ${steps.filter((s) => !s.ok).length} failed`);
  process.exit(exitCode);
}
