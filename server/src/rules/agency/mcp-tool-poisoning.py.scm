; The whole module: MCP tools and their descriptions are collected once per file.
(module) @file
