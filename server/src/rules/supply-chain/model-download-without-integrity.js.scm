; Every call: the check keeps downloads (fetch, axios, got, node:http) and model loaders that take URLs.
(call_expression function: (_) @callee) @call

; transformers.js: env.remoteHost = 'http://…' sends every model download there.
((assignment_expression
   left: (member_expression property: (property_identifier) @property)
   right: (_) @value) @assignment
  (#eq? @property "remoteHost"))
