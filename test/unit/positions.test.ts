// Offsets and positions are UTF-16 code units in web-tree-sitter, in LSP, and in LineIndex.
// Emoji and astral characters (two code units) before a finding prove the three agree.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineIndex } from '../../server/src/engine/text/lines';
import { sharedEngine } from '../harness/engine';
import { defaultConfig } from '../../server/src/engine/config/config';

describe('LineIndex', () => {
  it('round-trips offsets and positions across \\n, \\r\\n and \\r line breaks', () => {
    const text = 'a\r\nbc\rdef\nlast';
    const lines = new LineIndex(text);
    assert.equal(lines.lineCount, 4);
    for (let offset = 0; offset <= text.length; offset++) {
      const p = lines.positionAt(offset);
      if (text[offset - 1] === '\r' && text[offset] === '\n') continue; // inside a CRLF pair
      assert.equal(lines.offsetAt(p), offset, `offset ${offset}`);
    }
    assert.deepEqual(lines.positionAt(text.indexOf('def')), { line: 2, character: 0 });
    assert.equal(lines.lineText(1), 'bc');
  });

  it('counts astral characters as two code units, like LSP', () => {
    const text = 'x = "😀𝕏é" ; y\n';
    const lines = new LineIndex(text);
    assert.deepEqual(lines.positionAt(text.indexOf('y')), { line: 0, character: 14 });
  });
});

describe('positions of findings', () => {
  it('agree between tree-sitter nodes and LineIndex after emoji and astral characters', async () => {
    const engine = await sharedEngine();
    const text = '# 🤖 model loader — 𝔭𝔦𝔠𝔨𝔩𝔢\nimport pickle\nlabel = "🚀🚀"; obj = pickle.loads(b"")\n';
    const { findings } = engine.analyzeText('emoji.py', text, defaultConfig());
    const f = findings.find((x) => x.ruleId === 'pickle-deserialization');
    assert.ok(f);
    assert.equal(text.slice(f.range.start, f.range.end), 'pickle.loads(b"")');
    const start = new LineIndex(text).positionAt(f.range.start);
    // 'label = "' (9) + two rockets (4 code units) + '"; obj = ' (9) = 22
    assert.deepEqual(start, { line: 2, character: 22 });
  });
});
