; String and template literals and comments that contain a provider key prefix are searched for
; key formats; `'…' + '…'` chains are searched as a whole for keys split across literals.
((string) @string
  (#match? @string "sk-|hf_|AIza|gsk_|r8_|lsv2_|pcsk_|xai-|pplx-"))
((template_string) @string
  (#match? @string "sk-|hf_|AIza|gsk_|r8_|lsv2_|pcsk_|xai-|pplx-"))
((binary_expression
  left: [(string) (template_string) (binary_expression) (parenthesized_expression)]
  right: [(string) (template_string)]) @concat
  (#match? @concat "sk-|hf_|AIza|gsk_|r8_|lsv2_|pcsk_|xai-|pplx-"))
((comment) @comment
  (#match? @comment "sk-|hf_|AIza|gsk_|r8_|lsv2_|pcsk_|xai-|pplx-"))
; AI client constructors and factories whose key option is a literal of no known format.
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @callee) @call
; `process.env.OPENAI_API_KEY = "…"`.
(assignment_expression left: [(member_expression) (subscript_expression)] @target right: (_) @value) @assignment
