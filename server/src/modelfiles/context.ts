// Per-file scan state: findings, every import seen, and the budgets (bytes, decompressed bytes,
// time, depth) that every reader checks as it goes, so no input can make a scan unbounded.
import { ReadBudget, ScanAbort } from './source';
import type { ModelFileFinding, ModelFileImport, ModelScanOptions } from './types';

/** Where in the file a reader is: the archive member (if any) and how deep in nested containers. */
export interface Where {
  member?: string;
  depth: number;
}

const MAX_FINDINGS = 500;
const MAX_IMPORTS = 10_000;

export class ScanContext {
  readonly findings: ModelFileFinding[] = [];
  readonly imports: ModelFileImport[] = [];
  /** copyreg extension codes registered by streams earlier in this file (the registry is process-wide). */
  readonly extensions = new Map<number, { module: string; name: string }>();
  inflated = 0;
  omitted = 0;
  private readonly deadline: number;
  private ticks = 0;
  private inflateRefusedReported = false;

  constructor(
    readonly opts: Required<ModelScanOptions>,
    readonly budget: ReadBudget,
  ) {
    this.deadline = Date.now() + opts.timeBudgetMs;
  }

  add(where: Where, finding: Omit<ModelFileFinding, 'member'>): void {
    if (this.findings.length >= MAX_FINDINGS) {
      this.omitted++;
      return;
    }
    // offsets come from hostile headers: never let one escape as negative or fractional
    const offset = Number.isFinite(finding.offset) ? Math.max(0, Math.floor(finding.offset)) : 0;
    const clean = offset === finding.offset ? finding : { ...finding, offset };
    this.findings.push(where.member === undefined ? clean : { ...clean, member: where.member });
  }

  addImport(imp: ModelFileImport): void {
    if (this.imports.length < MAX_IMPORTS) this.imports.push(imp);
  }

  /** Cheap enough to call per item in a loop; throws ScanAbort once the time budget is spent. */
  tick(): void {
    if ((++this.ticks & 15) === 0) this.checkTime();
  }

  checkTime(): void {
    if (Date.now() > this.deadline) throw new ScanAbort(`time budget of ${this.opts.timeBudgetMs} ms exceeded`);
  }

  /** Reserves decompressed bytes; false (and one skip finding per file) once the budget is spent. */
  reserveInflate(where: Where, n: number, offset: number): boolean {
    if (this.inflated + n <= this.opts.maxInflatedBytes) {
      this.inflated += n;
      return true;
    }
    if (!this.inflateRefusedReported) {
      this.inflateRefusedReported = true;
      this.add(where, {
        ruleId: 'model-file-skipped',
        severity: 'info',
        confidence: 'high',
        offset,
        message: `Skipped: decompressing this member would exceed the budget of ${this.opts.maxInflatedBytes} decompressed bytes per file; it and any later compressed members were not inspected.`,
      });
    }
    return false;
  }
}

/** The location of a member inside the current one (`outer!/inner`), one level deeper. */
export function child(where: Where, name: string): Where {
  return { member: where.member === undefined ? name : `${where.member}!/${name}`, depth: where.depth + 1 };
}
