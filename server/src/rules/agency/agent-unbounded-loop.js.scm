; `while (true)`, `for (;;)`, `do … while (true)` loops; `stepCountIs(n)`; limit options.
(while_statement) @loop
(for_statement) @loop
(do_statement) @loop
(call_expression function: (_) @callee) @call
((pair key: (property_identifier) @key value: (_) @value) @pair
  (#any-of? @key "maxSteps" "maxTurns" "recursionLimit" "maxIterations" "stopWhen"))
