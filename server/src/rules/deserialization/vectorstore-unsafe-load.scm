; Every call; the check keeps LangChain calls that pass allow_dangerous_deserialization.
(call function: (_) @callee) @call
