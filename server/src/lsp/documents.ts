// Open documents with their syntax trees. Edits arrive as incremental LSP changes; each is
// applied to the tree at once (tree.edit, cheap), and the tree is re-parsed only when it is
// needed (`parsed`), reusing everything outside the edits: a burst of keystrokes costs one
// incremental parse, not one per keystroke.
// Every replaced tree is deleted: trees live in WASM memory and are never garbage-collected.
// Each parse runs within the document's time budget: a parse that runs out leaves no tree, and
// the analysis then reports the file as not analyzed (analysis-time-budget).
import { Edit, type Tree } from 'web-tree-sitter';
import { DEFAULT_TIME_BUDGET_MS, TimeBudget } from '../engine/budget';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { Engine } from '../engine/engine';
import { hasGrammar, type FileClass } from '../engine/files';

export interface OpenDocument {
  document: TextDocument;
  /** What the file is; undefined for files Airlock does not read. */
  file?: FileClass;
  /**
   * Only for languages with a grammar, and only current after `parsed()`: between edits and
   * the next parse it is the old tree with the edits applied. Absent when the last parse ran
   * out of its time budget.
   */
  tree?: Tree;
  /** Edits arrived since the tree was parsed. */
  stale: boolean;
}

function endOf(start: { line: number; character: number }, inserted: string) {
  const lines = inserted.split(/\r\n|\r|\n/);
  if (lines.length === 1) return { row: start.line, column: start.character + inserted.length };
  return { row: start.line + lines.length - 1, column: lines[lines.length - 1].length };
}

export class DocumentStore {
  private readonly docs = new Map<string, OpenDocument>();

  constructor(
    private readonly engine: Engine,
    /** The time budget for parsing a document (the server passes the file's configured one). */
    private readonly budgetMs: (uri: string) => number = () => DEFAULT_TIME_BUDGET_MS,
  ) {}

  get(uri: string): OpenDocument | undefined {
    return this.docs.get(uri);
  }

  all(): IterableIterator<OpenDocument> {
    return this.docs.values();
  }

  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    this.close(uri);
    const document = TextDocument.create(uri, languageId, version, text);
    const doc: OpenDocument = { document, file: this.engine.classify(uri, languageId), stale: true };
    this.docs.set(uri, doc);
    return doc;
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): OpenDocument | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    let document = doc.document;
    for (const change of changes) {
      if (!('range' in change)) {
        // A full replacement shares nothing with the old tree.
        doc.tree?.delete();
        doc.tree = undefined;
      } else if (doc.tree) {
        const startIndex = document.offsetAt(change.range.start);
        const oldEndIndex = document.offsetAt(change.range.end);
        // offsetAt clamps, so derive positions from the clamped offsets.
        const start = document.positionAt(startIndex);
        const oldEnd = document.positionAt(oldEndIndex);
        doc.tree.edit(
          new Edit({
            startIndex,
            oldEndIndex,
            newEndIndex: startIndex + change.text.length,
            startPosition: { row: start.line, column: start.character },
            oldEndPosition: { row: oldEnd.line, column: oldEnd.character },
            newEndPosition: endOf(start, change.text),
          }),
        );
      }
      document = TextDocument.update(document, [change], version);
    }
    doc.document = document;
    doc.stale = true;
    return doc;
  }

  /** The document with a tree for its current text: parsed now (incrementally, within its budget) if edits arrived. */
  parsed(uri: string): OpenDocument | undefined {
    const doc = this.docs.get(uri);
    if (!doc || !doc.stale) return doc;
    doc.stale = false;
    if (!doc.file || !hasGrammar(doc.file.language)) return doc;
    const previous = doc.tree;
    doc.tree = this.engine.parseWithin(doc.file.language, doc.document.getText(), new TimeBudget(this.budgetMs(uri)), previous);
    previous?.delete();
    return doc;
  }

  /** Parses again from scratch at the next `parsed` (after a parse that ran out of time, when the budget changed). */
  invalidate(uri: string): void {
    const doc = this.docs.get(uri);
    if (doc) doc.stale = true;
  }

  close(uri: string): void {
    const doc = this.docs.get(uri);
    doc?.tree?.delete();
    this.docs.delete(uri);
  }

  dispose(): void {
    for (const uri of [...this.docs.keys()]) this.close(uri);
  }
}
