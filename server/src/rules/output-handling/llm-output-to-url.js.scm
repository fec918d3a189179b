; Calls: the check decides which ones are HTTP requests and whether the model chose their URL.
(call_expression function: (_) @callee) @call
