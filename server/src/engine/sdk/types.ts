// SDK models are data: which calls of an LLM SDK take a system prompt, a prompt, a message
// list or a template, and which return model output. Adding an SDK means adding rows.

export type SdkLanguage = 'python' | 'javascript';

/** Where a call takes text that reaches the model. */
export type SlotKind =
  /** The system / developer instructions: must not hold untrusted text. */
  | 'system'
  /** A user-turn prompt or message content. */
  | 'prompt'
  /** A list of role/content messages (each element is checked by its role). */
  | 'messages'
  /** Text used AS a template: untrusted text here is template injection. */
  | 'template';

export interface Slot {
  kind: SlotKind;
  /** Python keyword argument, or property of a JS options object. */
  name?: string;
  /** Positional index (JS: of the argument, or of the options object when `name` is set). */
  position?: number;
  /** The slot is `system` only when the call's role argument (this keyword/position) says system. */
  systemWhenRole?: { name?: string; position?: number };
}

export interface SdkCall {
  /** The qualified name the call resolves to (see facts/python.ts and facts/javascript.ts). */
  callee: RegExp;
  /**
   * Matched against the call's dotted source text when its receiver cannot be resolved (a client
   * passed as a parameter, `self.client`): only for shapes distinctive enough to stand alone.
   */
  fallback?: RegExp;
  /** The call returns model output (or a response object holding it). */
  output?: boolean;
  slots?: Slot[];
}

export interface SdkModel {
  sdk: string;
  language: SdkLanguage;
  docs: string;
  calls: SdkCall[];
}
