; Python calls: the check decides which ones show their argument as HTML.
(call function: (_) @callee) @call
