; The whole module: tools are found once per file by the shared tool helper (agent-tools.ts).
(module) @file
