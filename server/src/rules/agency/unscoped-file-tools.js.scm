; `new NodeFileStore(basePath)`, the store behind LangChain.js ReadFileTool / WriteFileTool.
(new_expression constructor: (_) @callee) @call
