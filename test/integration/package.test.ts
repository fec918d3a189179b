// `npm run package` builds a .vsix that holds the bundles, grammars and docs the extension
// needs — and no sources, tests, fixtures, examples or node_modules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..');

/** Lists a zip's entries from its central directory (enough for a .vsix). */
function zipEntries(bytes: Buffer): Map<string, Buffer> {
  const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'not a zip file');
  const count = bytes.readUInt16LE(eocd + 10);
  let p = bytes.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    assert.equal(bytes.readUInt32LE(p), 0x02014b50);
    const method = bytes.readUInt16LE(p + 10);
    const compressed = bytes.readUInt32LE(p + 20);
    const nameLength = bytes.readUInt16LE(p + 28);
    const extraLength = bytes.readUInt16LE(p + 30);
    const commentLength = bytes.readUInt16LE(p + 32);
    const local = bytes.readUInt32LE(p + 42);
    const name = bytes.toString('utf8', p + 46, p + 46 + nameLength);
    const dataStart = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const raw = bytes.subarray(dataStart, dataStart + compressed);
    entries.set(name, method === 8 ? inflateRawSync(raw) : raw);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('npm run package', () => {
  it('produces a .vsix with the bundles and grammars and nothing it should not ship', { timeout: 180_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), 'airlock-vsix-'));
    try {
      const vsix = join(out, 'airlock.vsix');
      const built = spawnSync(process.execPath, ['scripts/build.mjs', '--runtime', 'linux-x64'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(built.status, 0, built.stderr);
      const r = spawnSync('npx', ['vsce', 'package', '--no-dependencies', '--target', 'linux-x64', '--out', vsix], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr + r.stdout);
      const entries = zipEntries(readFileSync(vsix));
      const names = [...entries.keys()].filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
      for (const required of ['package.json', 'readme.md', 'LICENSE.txt', 'dist/client.js', 'dist/server.js', 'dist/cli.js', 'bin/airlock.js', 'grammars/manifest.json', 'grammars/web-tree-sitter.wasm', 'grammars/tree-sitter-python.wasm', 'grammars/tree-sitter-tsx.wasm', 'dist/classifier-worker.js', 'dist/classifier-probe.js', 'dist/node_modules/onnxruntime-node/package.json']) {
        assert.ok(names.includes(required), `${required} missing from the .vsix: ${names.join(', ')}`);
      }
      // Files the manifest points at (activity-bar icon, walkthrough pages) ship too.
      const manifestJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
      const referenced = [
        ...manifestJson.contributes.viewsContainers.activitybar.map((c: { icon: string }) => c.icon),
        ...manifestJson.contributes.walkthroughs.flatMap((w: { steps: { media: { markdown?: string; image?: string } }[] }) => w.steps.map((s) => s.media.markdown ?? s.media.image)),
      ];
      for (const file of referenced) assert.ok(names.includes(file), `${file} (referenced by package.json) missing from the .vsix`);
      // Only the onnxruntime runtime for this one platform may ride along in dist/node_modules.
      const forbidden = names.filter((n) => (/(^|\/)(node_modules|test|examples|server\/src|client\/src|scripts|training)\//.test(n) && !n.startsWith('dist/node_modules/onnxruntime-')) || /\.ts$|\.map$/.test(n));
      assert.deepEqual(forbidden, []);
      assert.ok(names.some((n) => /^dist\/node_modules\/onnxruntime-node\/bin\/napi-v\d+\/linux\/x64\/libonnxruntime/.test(n)));
      assert.ok(!names.some((n) => /\/(darwin|win32)\//.test(n)), 'no other platform binaries');
      if (existsSync(join(ROOT, 'models', 'model.json'))) assert.ok(names.includes('models/injection-cnn.onnx') && names.includes('models/model.json'));
      // The grammars shipped are the ones the manifest vouches for.
      const manifest = JSON.parse(entries.get('extension/grammars/manifest.json')!.toString('utf8'));
      for (const g of Object.values(manifest.grammars) as { file: string; sha256: string }[]) {
        const bytes = entries.get(`extension/grammars/${g.file}`)!;
        assert.equal(createHash('sha256').update(bytes).digest('hex'), g.sha256, g.file);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
