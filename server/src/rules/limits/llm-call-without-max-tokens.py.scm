; Every call: the check picks the LLM calls and chat model constructors (see OUTPUT_BOUNDS).
(call function: (_) @callee) @call
