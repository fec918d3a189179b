// Scanning never touches the network: the CLI and the language server scan the example project
// with every network API of Node trapped (test/harness/network-trap.cjs), in every process and
// thread they start, and no attempt is recorded. A control case proves the trap catches one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { SCAN_WORKSPACE_COMMAND, type ScanWorkspaceResult } from '../../server/src/protocol';
import { startServer } from '../harness/lsp-client';

const ROOT = join(__dirname, '..', '..');
const TRAP = join(ROOT, 'test', 'harness', 'network-trap.cjs');
const EXAMPLES = join(ROOT, 'examples');
const tmp = mkdtempSync(join(tmpdir(), 'airlock-no-network-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** An environment that arms the trap in every Node process started with it (and their children). */
function trappedEnv(log: string): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', AIRLOCK_NETWORK_LOG: log, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${TRAP}`.trim() };
}

function readLog(log: string): { armed: string[]; attempts: string[] } {
  const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  return { armed: lines.filter((l) => l.startsWith('armed')), attempts: lines.filter((l) => l.startsWith('attempt')) };
}

describe('no network access during a scan', () => {
  it('the trap catches and records a connection attempt (control)', () => {
    const log = join(tmp, 'control.log');
    const probe = `
      const attempts = [() => require('node:net').connect(9, '127.0.0.1'), () => fetch('http://127.0.0.1:9/'), () => require('node:dns').lookup('example.com', () => {}), () => require('node:https').get('https://example.com')];
      let thrown = 0;
      for (const attempt of attempts) { try { attempt(); } catch { thrown++; } }
      process.stdout.write(String(thrown));`;
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', env: trappedEnv(log) });
    assert.equal(r.stdout, '4', r.stderr);
    const { armed, attempts } = readLog(log);
    assert.equal(armed.length, 1);
    assert.deepEqual(attempts.map((a) => a.split(' ')[1]), ['net.connect', 'fetch', 'dns.lookup', 'https.get']);
  });

  it('airlock scan of examples/ (with the classifier) makes no network call', () => {
    const log = join(tmp, 'cli.log');
    // `--device auto` also starts the device probe (a child process) and the classifier's worker thread.
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'airlock.js'), 'scan', EXAMPLES, '--format', 'json', '--device', 'auto'], { cwd: ROOT, encoding: 'utf8', env: trappedEnv(log) });
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { summary: { findings: number; filesScanned: number } };
    assert.ok(report.summary.filesScanned > 10 && report.summary.findings > 10, JSON.stringify(report.summary));
    const { armed, attempts } = readLog(log);
    assert.ok(armed.some((l) => !l.endsWith('thread=0')), `the trap is armed in the classifier's worker thread too: ${armed.join('; ')}`);
    assert.deepEqual(attempts, []);
  });

  it('the language server scanning examples/ makes no network call', async () => {
    const log = join(tmp, 'server.log');
    const client = startServer({ env: trappedEnv(log) });
    try {
      await client.connection.sendRequest('initialize', {
        processId: process.pid,
        rootUri: pathToFileURL(EXAMPLES).href,
        workspaceFolders: [{ uri: pathToFileURL(EXAMPLES).href, name: 'examples' }],
        capabilities: { workspace: { configuration: true } },
      });
      await client.connection.sendNotification('initialized', {});
      const result = (await client.connection.sendRequest('workspace/executeCommand', { command: SCAN_WORKSPACE_COMMAND, arguments: [] })) as ScanWorkspaceResult;
      assert.ok(result.filesScanned > 10 && result.findings > 10, JSON.stringify(result));
    } finally {
      await client.stop();
    }
    const { armed, attempts } = readLog(log);
    assert.ok(armed.length >= 1);
    assert.deepEqual(attempts, []);
  });
});
