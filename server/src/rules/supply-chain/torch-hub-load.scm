; Every call: the check keeps torch.hub loaders, however torch is imported or aliased.
(call function: (_) @callee) @call
