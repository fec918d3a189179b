// Incremental re-parsing in the language server's document store must give exactly the tree a
// fresh parse gives, whatever the edits (including multi-line and astral-character ones), whether
// each edit is parsed on its own or a burst of edits is parsed at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DocumentStore } from '../../server/src/lsp/documents';
import { sharedEngine } from '../harness/engine';
import { seededRandom } from '../harness/random';

const SNIPPETS = ['pickle.loads(b)', '\n', '    ', 'import pickle as pk\n', '"😀"', '(', ')', 'def f(x):\n    return x\n', '#', 'é', '\r\n', ''];

describe('DocumentStore incremental parsing', () => {
  for (const parseEvery of [1, 25]) it(`matches a fresh parse after 300 random incremental edits, parsed every ${parseEvery}`, async () => {
    const engine = await sharedEngine();
    const store = new DocumentStore(engine);
    const uri = 'file:///tmp/incremental.py';
    let doc = store.open(uri, 'python', 1, 'import pickle\n\ndef load(p):\n    return pickle.load(open(p, "rb"))\n');
    const random = seededRandom(42);
    for (let version = 2; version < 302; version++) {
      const text = doc.document.getText();
      let a = Math.floor(random() * (text.length + 1));
      let b = Math.min(text.length, a + Math.floor(random() * 6));
      // Never split a surrogate pair or a CRLF: editors do not either.
      const inside = (i: number) => /[\uDC00-\uDFFF]/.test(text[i] ?? '') || (text[i - 1] === '\r' && text[i] === '\n');
      if (inside(a)) a--;
      if (inside(b)) b++;
      const insert = SNIPPETS[Math.floor(random() * SNIPPETS.length)];
      const range = { start: doc.document.positionAt(a), end: doc.document.positionAt(b) };
      doc = store.change(uri, version, [{ range, text: insert }])!;
      assert.equal(doc.document.getText(), text.slice(0, a) + insert + text.slice(b));
      if (version % parseEvery !== 0) continue;
      doc = store.parsed(uri)!;
      const fresh = engine.parse('python', doc.document.getText());
      assert.equal(doc.tree!.rootNode.toString(), fresh.rootNode.toString(), `tree differs after edit ${version}`);
      fresh.delete();
    }
    store.dispose();
  });

  it('handles full-document replacement and close', async () => {
    const engine = await sharedEngine();
    const store = new DocumentStore(engine);
    const uri = 'file:///tmp/full.ts';
    store.open(uri, 'typescript', 1, 'const a = 1;\n');
    store.change(uri, 2, [{ text: 'import yaml from "js-yaml";\n' }]);
    const doc = store.parsed(uri)!;
    assert.equal(doc.tree!.rootNode.child(0)!.type, 'import_statement');
    store.close(uri);
    assert.equal(store.get(uri), undefined);
  });
});
