; Every call: the check keeps transformers.js and @huggingface/hub loaders.
(call_expression function: (_) @callee) @call
