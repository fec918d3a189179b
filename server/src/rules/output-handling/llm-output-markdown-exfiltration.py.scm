; Python calls: the check decides which ones show HTML, then looks for a markdown renderer on the way.
(call function: (_) @callee) @call
