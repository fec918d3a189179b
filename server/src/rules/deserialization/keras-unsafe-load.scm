; Every call; the check resolves what it calls through imports and aliases
; (import tensorflow as tf; tf.keras.models.load_model(...)).
(call function: (_) @callee) @call
