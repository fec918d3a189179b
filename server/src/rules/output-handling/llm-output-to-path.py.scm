; Calls: the check decides which ones touch the file system and whether the model chose the path.
(call function: (_) @callee) @call
