; Python calls: the check decides which ones run a process.
(call function: (_) @callee) @call
