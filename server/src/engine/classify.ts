// The asynchronous half of a file's analysis: texts that classifier rules set aside are scored
// (by whatever scorer the adapter provides: the onnxruntime classifier, or nothing) and those
// at or above the threshold become findings. Pure: the scorer is passed in.
import type { FileAnalysis } from './analyzer';

export interface Scorer {
  score(texts: string[]): Promise<({ score: number; window: { start: number; end: number } } | undefined)[]>;
  /** The model's own threshold (used when the config sets none). */
  readonly threshold: number | undefined;
}

export async function completeClassification(analysis: FileAnalysis, scorer: Scorer | undefined, configuredThreshold?: number): Promise<FileAnalysis> {
  const pending = analysis.pending;
  if (!pending || pending.length === 0 || !scorer) return { ...analysis, pending: undefined };
  const results = await scorer.score(pending.map((p) => p.text));
  const threshold = configuredThreshold ?? scorer.threshold ?? 0.5;
  const extra = pending.flatMap((p, i) => {
    const r = results[i];
    const finding = r ? p.complete(r.score, r.window, threshold) : undefined;
    return finding ? [finding] : [];
  });
  const findings = [...analysis.findings, ...extra].sort((a, b) => a.range.start - b.range.start || a.ruleId.localeCompare(b.ruleId));
  return { findings, failures: analysis.failures };
}
