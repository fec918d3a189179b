; Every call; the check resolves LangChain's file-management toolkit and tools.
(call function: (_) @callee) @call
