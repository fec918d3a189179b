; Every call; the check resolves the callee and reads the allow_pickle argument.
(call function: (_) @callee) @call
