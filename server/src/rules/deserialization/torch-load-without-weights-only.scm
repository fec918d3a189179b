; Every call (the check resolves what it calls through imports and aliases) ...
(call function: (_) @callee) @call

; ... and torch.load passed as a value: DatasetFolder(root, loader=torch.load), partial(torch.load, ...)
(argument_list [(attribute) (identifier)] @reference)
(keyword_argument value: [(attribute) (identifier)] @reference)
