; `allow_dangerous_code=True` as a keyword argument, and `{"allow_dangerous_code": True}` in a
; kwargs dict (agent_kwargs, **options).
((keyword_argument name: (identifier) @name value: (_) @value) @item
  (#any-of? @name "allow_dangerous_code" "allow_dangerous_requests" "allow_dangerous_tools"))
((pair key: (string (string_content) @name) value: (_) @value) @item
  (#any-of? @name "allow_dangerous_code" "allow_dangerous_requests" "allow_dangerous_tools"))
