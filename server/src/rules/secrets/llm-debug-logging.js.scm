; `process.env.LANGCHAIN_VERBOSE = "true"`, `process.env.OPENAI_LOG = "debug"`.
(assignment_expression left: [(member_expression) (subscript_expression)] @target right: [(string) (template_string)] @value) @assignment
; `logLevel: 'debug'` in an AI client's options.
((pair key: (_) @key value: (_) @value) @pair
  (#match? @key "^.?logLevel.?$"))
; Logging calls whose arguments may show a key.
(call_expression function: (_) @callee) @call
