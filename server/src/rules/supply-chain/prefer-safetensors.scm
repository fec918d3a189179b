; Every call: the check keeps transformers / diffusers from_pretrained calls on model classes.
(call function: (_) @callee) @call
