; Every call: the check keeps Hugging Face loaders (resolved through imports and aliases) that
; trust remote code.
(call function: (_) @callee) @call
