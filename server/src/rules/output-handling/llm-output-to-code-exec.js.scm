; Calls and constructions (`new Function(...)`, `new vm.Script(...)`): the check decides which evaluate code.
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @callee) @call
