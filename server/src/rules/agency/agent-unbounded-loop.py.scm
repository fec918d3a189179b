; `while True:` loops (the check looks for model calls and exits), agent calls with limit
; keywords, and `{"recursion_limit": …}` in LangGraph configs.
(while_statement) @loop
(call function: (_) @callee) @call
((pair key: (string (string_content) @key) value: (_) @value) @pair
  (#eq? @key "recursion_limit"))
