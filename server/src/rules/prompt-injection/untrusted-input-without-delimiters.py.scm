; Calls (prompt arguments, message lists) and dict literals (`{"role": "user", "content": ...}`): the check decides.
(call function: (_) @callee) @call
(dictionary) @message
