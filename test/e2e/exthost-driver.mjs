// Runs the extension's own integration tests (test/e2e/exthost, bundled) inside code-server's
// real Node extension host. code-server has no --extensionDevelopmentPath flag; the workbench
// URL's `payload` parameter carries extensionDevelopmentPath and extensionTestsPath instead, and
// the page reports the result through window.codeAutomationExit(code).
// Env: CS_URL, WS (folder to open), EXT (extension folder), TESTS (bundled tests, no .js), ARTIFACTS.
import { join } from 'node:path';
import { launchBrowser } from './browser.mjs';

const { CS_URL, WS, EXT, TESTS, ARTIFACTS } = process.env;
const TIMEOUT_MS = 240_000;
const started = Date.now();

const host = new URL(CS_URL).host;
const remote = (path) => `vscode-remote://${host}${path}`;
const payload = [['extensionDevelopmentPath', remote(EXT)], ['extensionTestsPath', remote(TESTS)]];
const url = `${CS_URL}/?folder=${encodeURIComponent(WS)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

const browser = await launchBrowser();
const { page } = browser;
let exited;
const exit = new Promise((resolve) => (exited = resolve));
await page.exposeFunction('codeAutomationLog', (type, args) => console.log(`[extension host ${type}]`, ...(args ?? [])));
await page.exposeFunction('codeAutomationExit', (code) => exited(code));
await page.goto(url, { waitUntil: 'domcontentloaded' });
const code = await Promise.race([exit, new Promise((resolve) => setTimeout(() => resolve('timeout'), TIMEOUT_MS))]);
await page.screenshot({ path: join(ARTIFACTS, 'exthost-tests-end.png') }).catch(() => {});
await browser.close();
console.log(`extension host tests exited with ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(code === 0 ? 0 : 1);
