; Calls (document.write, insertAdjacentHTML, jQuery .html(), Express res.send): the check decides.
(call_expression function: (_) @callee) @call

; `el.innerHTML = x`, `el.outerHTML += x`.
((assignment_expression
  left: (member_expression property: (property_identifier) @property)
  right: (_) @value) @sink
  (#any-of? @property "innerHTML" "outerHTML"))
((augmented_assignment_expression
  left: (member_expression property: (property_identifier) @property)
  right: (_) @value) @sink
  (#any-of? @property "innerHTML" "outerHTML"))

; React `dangerouslySetInnerHTML={{ __html: x }}` (a pair, so the query compiles without JSX).
((pair key: (property_identifier) @key value: (_) @value) @sink
  (#eq? @key "__html"))
