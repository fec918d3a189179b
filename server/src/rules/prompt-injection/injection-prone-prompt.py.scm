; Strings passed to LLM calls (the check keeps those in prompt slots) ...
(call function: (_) @callee) @call
; ... and strings assigned to prompt-like names.
(assignment left: (identifier) @name right: (_) @value)
