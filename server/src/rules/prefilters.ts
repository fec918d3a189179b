// Pre-filters (RuleDefinition.requires): text a file must contain for a rule to possibly fire.
// A rule's checks resolve names through imports, so the imported module's name is in the text;
// the fallback shapes of the SDK tables (a client passed in as a parameter) are listed too.
// Too loose costs time only; too strict hides findings, so these err on the loose side.

/**
 * Code that talks to an LLM or registers agent tools: the SDK modules of engine/sdk, the tool
 * frameworks of agent-tools.ts, MCP, and the SDK tables' fallback call shapes. The LLM-application
 * rules (prompts, model output, agency, limits) need one of these: their sources and sinks are SDK
 * calls or tool parameters. Rules that also look at prompt-like names add `PROMPT_WORDS`.
 */
export const AI_CODE = new RegExp(
  [
    String.raw`openai|anthropic|claude|gemini|genai|generativeai|vertexai|cohere|mistral|litellm|ollama|bedrock`,
    String.raw`langchain|langgraph|llama_?index|crewai|autogen|smolagents|pydantic_ai|\bagents\b|\bmcp\b|fastmcp|modelcontextprotocol`,
    String.raw`@ai-sdk|from\s+['"]ai['"]|require\(\s*['"]ai['"]\s*\)|import\(\s*['"]ai['"]\s*\)`,
    String.raw`chat\.completions|responses\.(create|parse|stream)|messages\.(create|stream)|generate_?content`,
    String.raw`\b(llm|chat|model|chain|agent|agent_executor)\.(a?invoke|a?predict|a?run)\b`,
  ].join('|'),
  'i',
);

const mentionsCache = new Map<string, RegExp>();

/**
 * A pre-filter from module or API names: any of them, as a whole word. Rules that name the same
 * modules share one expression, so it is tested once per file.
 */
export function mentions(...names: string[]): RegExp {
  const key = names.join('|');
  let re = mentionsCache.get(key);
  if (!re) {
    const escaped = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    mentionsCache.set(key, (re = new RegExp(`\\b(${escaped.join('|')})\\b`)));
  }
  return re;
}

/** Model hubs and the libraries that download from them (the loaders of hub.ts). */
export const HUB_CODE = /transformers|diffusers|peft|sentence_transformers|datasets|huggingface|hf_hub|from_pretrained|vllm|timm|open_clip|langchain/;

/** Names that hold prompt text (`SYSTEM_PROMPT`, `instructions`, `persona`), for the rules that read them. */
export const PROMPT_WORDS = /prompt|instruction|system_?message|preamble|persona|template/i;
