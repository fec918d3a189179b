; Calls and constructions (prompt options, message lists) and object literals (`{ role: 'user', content }`): the check decides.
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @callee) @call
(object) @message
