; Every call; the check resolves the callee against the table of code-running tools and agents.
(call function: (_) @callee) @call
