// Every SDK model, and lookups over them. Adding an SDK = adding a file of rows here.
import { ANTHROPIC } from './anthropic';
import { GOOGLE } from './google';
import { LANGCHAIN } from './langchain';
import { OPENAI } from './openai';
import { OTHER_SDKS } from './others';
import type { SdkCall, SdkLanguage, SdkModel, Slot } from './types';
import { VERCEL_AI } from './vercel-ai';

export const SDK_MODELS: readonly SdkModel[] = [...OPENAI, ...ANTHROPIC, ...GOOGLE, ...LANGCHAIN, ...VERCEL_AI, ...OTHER_SDKS];

const byLanguage = new Map<SdkLanguage, { model: SdkModel; call: SdkCall }[]>();
for (const model of SDK_MODELS) for (const call of model.calls) byLanguage.set(model.language, [...(byLanguage.get(model.language) ?? []), { model, call }]);

/** The SDK rows a call matches: by its resolved name, else by its dotted text for distinctive shapes. */
function matching(language: SdkLanguage, resolved: string | undefined, dottedText: string): { model: SdkModel; call: SdkCall }[] {
  const rows = byLanguage.get(language) ?? [];
  if (resolved) {
    const hits = rows.filter((r) => r.call.callee.test(resolved));
    if (hits.length > 0) return hits;
  }
  return rows.filter((r) => r.call.fallback?.test(dottedText));
}

/** The SDK calls a call matches: by its resolved name, else by its dotted text for distinctive shapes. */
export function sdkCallsFor(language: SdkLanguage, resolved: string | undefined, dottedText: string): SdkCall[] {
  return matching(language, resolved, dottedText).map((r) => r.call);
}

/** The SDKs (names and docs) whose calls a call matches, as sdkCallsFor decides. */
export function sdkModelsFor(language: SdkLanguage, resolved: string | undefined, dottedText: string): SdkModel[] {
  return [...new Set(matching(language, resolved, dottedText).map((r) => r.model))];
}

export function isModelOutputCall(language: SdkLanguage, resolved: string | undefined, dottedText: string): boolean {
  return sdkCallsFor(language, resolved, dottedText).some((c) => c.output);
}

export function slotsOf(language: SdkLanguage, resolved: string | undefined, dottedText: string): Slot[] {
  return sdkCallsFor(language, resolved, dottedText).flatMap((c) => c.slots ?? []);
}

export type { SdkCall, SdkModel, Slot, SlotKind } from './types';
