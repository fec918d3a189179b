; Every call: the check picks the AI client constructors (see AI_CLIENTS in client-options.ts).
(call function: (_) @callee) @call
