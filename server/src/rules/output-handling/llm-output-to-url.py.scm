; Calls: the check decides which ones are HTTP requests and whether the model chose their URL.
(call function: (_) @callee) @call
