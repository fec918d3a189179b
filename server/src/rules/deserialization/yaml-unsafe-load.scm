; Every call (the check resolves what it calls through imports and aliases) ...
(call function: (_) @callee) @call

; ... and unsafe loaders passed as values: map(yaml.unsafe_load, docs)
(argument_list [(attribute) (identifier)] @reference)
(keyword_argument value: [(attribute) (identifier)] @reference)
