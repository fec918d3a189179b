; Every construction and factory call: the check picks the AI clients (see AI_CLIENTS in client-options.ts).
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @callee) @call
