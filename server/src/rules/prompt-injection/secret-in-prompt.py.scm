; Calls with prompt slots (from the SDK tables), and chat messages by their shape:
; {"role": …, "content": …} dicts and ("system", …) tuples.
(call function: (_) @callee) @call
(dictionary) @message
(tuple) @message
