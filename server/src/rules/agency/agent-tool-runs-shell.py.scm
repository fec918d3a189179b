; Every call; the check looks the callee up in the sink table and follows the argument back.
(call function: (_) @callee) @call
