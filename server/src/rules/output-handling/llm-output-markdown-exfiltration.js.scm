; HTML sinks, as in llm-output-to-html: calls, innerHTML / outerHTML assignments, React `__html`.
(call_expression function: (_) @callee) @call
((assignment_expression
  left: (member_expression property: (property_identifier) @property)
  right: (_) @value) @sink
  (#any-of? @property "innerHTML" "outerHTML"))
((augmented_assignment_expression
  left: (member_expression property: (property_identifier) @property)
  right: (_) @value) @sink
  (#any-of? @property "innerHTML" "outerHTML"))
((pair key: (property_identifier) @key value: (_) @value) @sink
  (#eq? @key "__html"))

; Capitalized names that JSX elements (`<ReactMarkdown …>`) have among others; the check keeps
; JSX elements only, so the query needs no JSX node types and compiles for plain TypeScript too.
((_ name: (identifier) @component) @element
  (#match? @component "^[A-Z]"))
