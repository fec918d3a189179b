; Constructions (`new PythonInterpreterTool()`) and factory calls (`PythonInterpreterTool.initialize()`).
(new_expression constructor: (_) @callee) @call
(call_expression function: (_) @callee) @call
