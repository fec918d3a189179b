; Calls and constructions (`new Function(body)`, `new vm.Script(code)`).
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @callee) @call
