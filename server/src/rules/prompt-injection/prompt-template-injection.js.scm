; Calls and constructions (`new PromptTemplate({ template })`): the check decides which compile or render a template.
(call_expression function: (_) @callee) @call
(new_expression constructor: (_) @callee) @call
