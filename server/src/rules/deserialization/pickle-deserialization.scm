; Every call (the check resolves what it calls through imports and aliases) ...
(call function: (_) @callee) @call

; ... and loader functions passed as values: map(pickle.load, files), executor.submit(pickle.loads, b)
(argument_list [(attribute) (identifier)] @reference)
(keyword_argument value: [(attribute) (identifier)] @reference)
