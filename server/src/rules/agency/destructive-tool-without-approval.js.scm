; The whole program: tools are found once per file by the shared tool helper (agent-tools.ts).
(program) @file
