; Calls: the check decides which ones take SQL text (tagged templates bind values and are skipped).
(call_expression function: (_) @callee) @call
