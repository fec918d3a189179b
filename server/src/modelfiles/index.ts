// Model-file scanner: public API.
//
// Finds malicious or unsafe model files (pickles, PyTorch checkpoints, NumPy, Keras, safetensors,
// GGUF, ONNX, and archives of them) WITHOUT loading them: every format has a static reader, and
// nothing scanned is ever executed, imported or deserialized. Large files are read a range at a
// time under a byte budget; decompression, nesting and time are budgeted too. Nothing throws out
// of this API: problems become findings (`malformed-model-file`) or a skip reason
// (`model-file-skipped`).
//
//   scanModelFile(path, options?)         → ModelFileReport   (reads through a file descriptor)
//   scanModelBytes(bytes, name, options?) → ModelFileReport   (bytes already in memory)
//   looksLikeModelFile(head, path)        → boolean           (cheap pre-filter for a workspace scan)
//
// All three are synchronous; a scan is bounded by `timeBudgetMs` (default 10 s).
import { ScanContext } from './context';
import { HEAD_BYTES, detectFormat, looksLikeModelFile } from './detect';
import { scanSource } from './scanner';
import { FileSource, MemorySource, ReadBudget, ScanAbort, type ByteSource } from './source';
import { DEFAULT_OPTIONS, MODEL_FILE_RULE_IDS, type ModelFileFinding, type ModelFileReport, type ModelFormat, type ModelScanOptions } from './types';

export type { ModelFileConfidence, ModelFileFinding, ModelFileImport, ModelFileReport, ModelFileRuleId, ModelFileSeverity, ModelFormat, ModelScanOptions } from './types';
export { DEFAULT_OPTIONS, HEAD_BYTES, MODEL_FILE_RULE_IDS, looksLikeModelFile };

/** Scans the file at `path`. */
export function scanModelFile(path: string, options: ModelScanOptions = {}): ModelFileReport {
  const opts = resolve(options);
  const budget = new ReadBudget(opts.maxBytes);
  let src: FileSource | undefined;
  try {
    src = new FileSource(path, budget);
  } catch (e) {
    const reason = `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
    return { path, format: 'unknown', findings: [skipFinding(reason)], bytesRead: 0, skipped: reason, imports: [] };
  }
  try {
    return run(path, src, opts, budget);
  } finally {
    src.close();
  }
}

/** Scans bytes already in memory; `name` is used for messages and as an extension hint only. */
export function scanModelBytes(bytes: Uint8Array, name: string, options: ModelScanOptions = {}): ModelFileReport {
  const opts = resolve(options);
  const budget = new ReadBudget(opts.maxBytes);
  return run(name, new MemorySource(bytes, budget), opts, budget);
}

/** Detects a format from a file's first bytes (HEAD_BYTES of them) without scanning. */
export function detectModelFormat(head: Uint8Array, path: string, size = head.length): ModelFormat {
  try {
    return detectFormat(head, path, size);
  } catch {
    return 'unknown';
  }
}

function resolve(options: ModelScanOptions): Required<ModelScanOptions> {
  const out = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(options) as [keyof ModelScanOptions, number | undefined][]) {
    if (typeof v === 'number' && v >= 0 && !Number.isNaN(v)) out[k] = v;
  }
  return out;
}

function run(path: string, src: ByteSource, opts: Required<ModelScanOptions>, budget: ReadBudget): ModelFileReport {
  const ctx = new ScanContext(opts, budget);
  let format: ModelFormat = 'unknown';
  let skipped: string | undefined;
  try {
    // detect first, so a scan cut short by a budget still reports what the file is
    format = detectFormat(src.read(0, HEAD_BYTES), path, src.size);
    const r = scanSource(ctx, src, path, { depth: 0 });
    format = r.format;
    skipped = r.notInspectable;
  } catch (e) {
    skipped = e instanceof ScanAbort ? e.reason : `internal error in the model-file reader (${(e as Error).message}); the file was only partly inspected`;
    ctx.findings.push(skipFinding(skipped));
  }
  if (ctx.omitted > 0) {
    ctx.findings.push({ ruleId: 'model-file-skipped', severity: 'info', confidence: 'high', offset: 0, message: `${ctx.omitted} further findings in this file were not reported (limit reached).` });
  }
  return { path, format, findings: sortFindings(ctx.findings), bytesRead: budget.used, ...(skipped ? { skipped } : {}), imports: ctx.imports };
}

function skipFinding(reason: string): ModelFileFinding {
  return { ruleId: 'model-file-skipped', severity: 'info', confidence: 'high', offset: 0, message: `Skipped: ${reason}. Findings before that point are reported; the rest of the file was not inspected.` };
}

function sortFindings(findings: ModelFileFinding[]): ModelFileFinding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => cmp(a.f.member ?? '', b.f.member ?? '') || a.f.offset - b.f.offset || cmp(a.f.ruleId, b.f.ruleId) || a.i - b.i)
    .map((x) => x.f);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
