; Calls and constructions with prompt slots (from the SDK tables), and chat messages by their
; shape: { role, content } objects and ["system", …] arrays.
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @callee) @call
(object) @message
(array) @message
