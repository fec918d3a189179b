; Python calls: the check decides which compile, render or load a template.
(call function: (_) @callee) @call
