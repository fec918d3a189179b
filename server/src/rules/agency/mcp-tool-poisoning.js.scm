; The whole program: MCP tools and their descriptions are collected once per file.
(program) @file
