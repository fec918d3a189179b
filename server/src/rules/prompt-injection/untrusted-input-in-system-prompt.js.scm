; Calls and constructions (system options, message lists) and object literals (`{ role: 'system', content }`): the check decides.
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @callee) @call
(object) @message
