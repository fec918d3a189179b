; Every call (the check resolves what it calls through imports and aliases) ...
(call function: (_) @callee) @call

; ... and the loader passed as a value: pool.map(joblib.load, paths)
(argument_list [(attribute) (identifier)] @reference)
(keyword_argument value: [(attribute) (identifier)] @reference)
