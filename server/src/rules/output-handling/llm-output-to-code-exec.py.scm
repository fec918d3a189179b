; Python calls and JS calls / constructions: the check decides which ones evaluate code.
(call function: (_) @callee) @call
