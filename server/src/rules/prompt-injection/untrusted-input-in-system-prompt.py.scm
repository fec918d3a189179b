; Calls (system arguments, message lists) and dict literals (`{"role": "system", "content": ...}`): the check decides.
(call function: (_) @callee) @call
(dictionary) @message
