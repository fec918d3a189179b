; trust_remote_code=<value> in any call: the keyword belongs to Hugging Face style loaders only
; (transformers, datasets, sentence-transformers, vLLM, and wrappers that forward it).
((keyword_argument name: (identifier) @name value: (_) @value) @argument
  (#eq? @name "trust_remote_code"))

; "trust_remote_code": <value> in a dict: model_kwargs={...}, **{...}, a shared kwargs constant.
((pair key: (string (string_content) @name) value: (_) @value) @argument
  (#eq? @name "trust_remote_code"))

; args.trust_remote_code = True (argument namespaces and config objects handed to loaders).
((assignment left: (attribute attribute: (identifier) @name) right: (_) @value) @argument
  (#eq? @name "trust_remote_code"))

; Class fields (dataclass / pydantic argument classes): trust_remote_code: bool = True.
(class_definition
  body: (block
    (expression_statement
      ((assignment left: (identifier) @name right: (_) @value) @argument
        (#eq? @name "trust_remote_code")))))
