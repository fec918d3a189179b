; Every call: the check keeps downloads (HTTP clients, torch.hub and Keras fetchers).
(call function: (_) @callee) @call
