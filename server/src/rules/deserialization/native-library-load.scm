; Every call; the check resolves what it calls through imports, aliases and instances
; (so = ort.SessionOptions(); so.register_custom_ops_library(path)).
(call function: (_) @callee) @call
