; `langchain.debug = True`, `litellm.set_verbose = True`, `os.environ["OPENAI_LOG"] = "debug"`.
(assignment left: [(attribute) (subscript)] @target right: [(true) (string)] @value) @assignment
; `set_debug(True)`, `litellm._turn_on_debug()`, and logging calls whose arguments may show a key.
(call function: (_) @callee) @call
