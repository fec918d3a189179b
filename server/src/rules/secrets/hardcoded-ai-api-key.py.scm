; String literals and comments that contain a provider key prefix are searched for key formats
; (the parts of an implicit concatenation one by one, and the concatenation as a whole for keys
; split across parts).
((string) @string
  (#match? @string "sk-|hf_|AIza|gsk_|r8_|lsv2_|pcsk_|xai-|pplx-"))
((concatenated_string) @concat
  (#match? @concat "sk-|hf_|AIza|gsk_|r8_|lsv2_|pcsk_|xai-|pplx-"))
((comment) @comment
  (#match? @comment "sk-|hf_|AIza|gsk_|r8_|lsv2_|pcsk_|xai-|pplx-"))
; AI client constructors whose key argument is a literal of no known format.
(call function: (_) @callee) @call
; `os.environ["OPENAI_API_KEY"] = "…"`, `openai.api_key = "…"`.
(assignment left: [(subscript) (attribute)] @target right: (_) @value) @assignment
