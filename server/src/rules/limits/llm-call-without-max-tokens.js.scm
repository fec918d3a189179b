; Every call and construction: the check picks the LLM calls and chat model constructors (see OUTPUT_BOUNDS).
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @callee) @call
