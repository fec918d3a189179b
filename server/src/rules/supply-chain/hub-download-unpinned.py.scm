; Every call: the check keeps Hugging Face Hub loaders (resolved through imports and aliases).
(call function: (_) @callee) @call
