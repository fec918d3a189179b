; Python calls: the check decides which ones take SQL text.
(call function: (_) @callee) @call
