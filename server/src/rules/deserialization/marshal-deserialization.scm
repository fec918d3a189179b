; Every call (the check resolves what it calls through imports and aliases) ...
(call function: (_) @callee) @call

; ... and the loader passed as a value: map(marshal.loads, blobs)
(argument_list [(attribute) (identifier)] @reference)
(keyword_argument value: [(attribute) (identifier)] @reference)
