; Every call and construction (the check resolves what it calls through imports and aliases) ...
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @callee) @call

; ... and deserializers passed as values: payloads.map(serialize.unserialize)
(arguments [(identifier) (member_expression)] @reference)
