; Calls, tagged templates included (zx / execa `$`): the check decides which ones run a process.
(call_expression function: (_) @callee) @call
