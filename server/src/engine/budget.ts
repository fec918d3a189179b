// The per-file time budget (`time-budget-ms`). A file that takes longer than the budget to
// analyze gets an `analysis-time-budget` info finding instead of the rules that did not get
// to run: slow is reported, never silent, and one hostile file cannot stall a scan or an editor.
//
// The check is cheap: the clock is read between rule invocations and in tree-sitter's progress
// callbacks (which it calls every few hundred parse or query steps), never per node.
export const DEFAULT_TIME_BUDGET_MS = 2_000;

export class TimeBudget {
  private readonly deadline: number;
  private expired = false;

  constructor(readonly ms: number) {
    this.deadline = performance.now() + ms;
  }

  /** Whether the budget is spent; once spent it stays spent. */
  exceeded(): boolean {
    if (!this.expired && performance.now() > this.deadline) this.expired = true;
    return this.expired;
  }

  /** For tree-sitter's `progressCallback` (parse and query): returning true stops the work. */
  readonly stop = (): boolean => this.exceeded();
}
