; `dangerouslyAllowBrowser: true` (a pair, or `{ dangerouslyAllowBrowser }` bound to true).
((pair key: (_) @key value: (_) @value) @pair
  (#match? @key "^.?dangerouslyAllowBrowser.?$"))
((shorthand_property_identifier) @shorthand
  (#eq? @shorthand "dangerouslyAllowBrowser"))
; Reads of public environment variables: `process.env.NEXT_PUBLIC_…`, `import.meta.env.VITE_…`,
; SvelteKit's `env.PUBLIC_…`.
((member_expression object: (member_expression property: (_) @name)) @env
  (#eq? @name "env"))
((subscript_expression object: (member_expression property: (_) @name)) @env
  (#eq? @name "env"))
((member_expression object: (identifier) @name) @env
  (#eq? @name "env"))
((variable_declarator name: (object_pattern) @pattern value: (member_expression property: (_) @name) @value) @destructure
  (#eq? @name "env"))
; SvelteKit's `$env/static/public`.
((import_statement source: (string) @source) @import
  (#match? @source "env/static/public"))
; AI clients given a public variable as their key, whatever its name.
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @callee) @call
