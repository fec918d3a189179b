; Strings passed to LLM calls and constructors (the check keeps those in prompt slots) ...
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @callee) @call
; ... and strings bound to prompt-like names.
(variable_declarator name: (identifier) @name value: (_) @value)
