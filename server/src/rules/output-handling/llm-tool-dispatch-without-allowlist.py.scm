; Calls: the check decides which ones pick their callee by a model-chosen name.
(call function: (_) @callee) @call
