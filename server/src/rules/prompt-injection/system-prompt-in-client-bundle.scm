; System slots of SDK calls, system messages by their shape, and prompt-like names bound to
; literals. The check decides whether the module runs in the browser.
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @callee) @call
(object) @message
(array) @message
(variable_declarator name: (identifier) @name value: (_) @value)
(pair key: (_) @name value: (_) @value)
