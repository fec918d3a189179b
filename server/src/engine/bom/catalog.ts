// What the bill of materials knows by name: the LLM providers (and how code reveals which one it
// calls: the SDK, the API-key variable a client reads, the Vercel AI SDK provider package), and
// which packages in a manifest are AI packages. Data only; adding a provider is adding a row.

export interface Provider {
  /** Stable id, used in bom-refs. */
  id: string;
  name: string;
  url: string;
  /** The public API base, when there is one (Azure's is per resource, so none). */
  endpoint?: string;
}

const PROVIDER_ROWS: Provider[] = [
  { id: 'openai', name: 'OpenAI', url: 'https://openai.com', endpoint: 'https://api.openai.com/v1' },
  { id: 'azure-openai', name: 'Azure OpenAI', url: 'https://azure.microsoft.com/products/ai-services/openai-service' },
  { id: 'anthropic', name: 'Anthropic', url: 'https://www.anthropic.com', endpoint: 'https://api.anthropic.com' },
  { id: 'google', name: 'Google Gemini API', url: 'https://ai.google.dev', endpoint: 'https://generativelanguage.googleapis.com' },
  { id: 'cohere', name: 'Cohere', url: 'https://cohere.com', endpoint: 'https://api.cohere.com' },
  { id: 'mistral', name: 'Mistral AI', url: 'https://mistral.ai', endpoint: 'https://api.mistral.ai' },
  { id: 'groq', name: 'Groq', url: 'https://groq.com', endpoint: 'https://api.groq.com/openai/v1' },
  { id: 'together', name: 'Together AI', url: 'https://www.together.ai', endpoint: 'https://api.together.xyz' },
  { id: 'replicate', name: 'Replicate', url: 'https://replicate.com', endpoint: 'https://api.replicate.com' },
  { id: 'huggingface', name: 'Hugging Face Inference', url: 'https://huggingface.co' },
  { id: 'pinecone', name: 'Pinecone', url: 'https://www.pinecone.io' },
  { id: 'xai', name: 'xAI', url: 'https://x.ai', endpoint: 'https://api.x.ai' },
  { id: 'perplexity', name: 'Perplexity', url: 'https://www.perplexity.ai', endpoint: 'https://api.perplexity.ai' },
  { id: 'deepseek', name: 'DeepSeek', url: 'https://www.deepseek.com', endpoint: 'https://api.deepseek.com' },
  { id: 'openrouter', name: 'OpenRouter', url: 'https://openrouter.ai', endpoint: 'https://openrouter.ai/api/v1' },
];

export const PROVIDERS: ReadonlyMap<string, Provider> = new Map(PROVIDER_ROWS.map((p) => [p.id, p]));

/** The API-key variable an AI client reads (client-options.ts AI_CLIENTS) names whose service it calls. */
const BY_KEY_VARIABLE: Record<string, string> = {
  OPENAI_API_KEY: 'openai',
  AZURE_OPENAI_API_KEY: 'azure-openai',
  ANTHROPIC_API_KEY: 'anthropic',
  GOOGLE_API_KEY: 'google',
  GEMINI_API_KEY: 'google',
  GOOGLE_GENERATIVE_AI_API_KEY: 'google',
  CO_API_KEY: 'cohere',
  COHERE_API_KEY: 'cohere',
  MISTRAL_API_KEY: 'mistral',
  GROQ_API_KEY: 'groq',
  TOGETHER_API_KEY: 'together',
  REPLICATE_API_TOKEN: 'replicate',
  HF_TOKEN: 'huggingface',
  HUGGINGFACEHUB_API_TOKEN: 'huggingface',
  PINECONE_API_KEY: 'pinecone',
  XAI_API_KEY: 'xai',
  PERPLEXITY_API_KEY: 'perplexity',
  DEEPSEEK_API_KEY: 'deepseek',
  OPENROUTER_API_KEY: 'openrouter',
};

export function providerOfKeyVariable(name: string | undefined): Provider | undefined {
  return name ? PROVIDERS.get(BY_KEY_VARIABLE[name]) : undefined;
}

/** SDK names (sdk/ tables) that call one provider; the frameworks (LangChain, LiteLLM, Vercel AI) say it elsewhere. */
const BY_SDK: Record<string, string> = {
  openai: 'openai',
  'openai-agents': 'openai',
  '@openai/agents': 'openai',
  anthropic: 'anthropic',
  'google-generativeai / google-genai': 'google',
  '@google/generative-ai / @google/genai': 'google',
  cohere: 'cohere',
  mistralai: 'mistral',
};

export function providerOfSdk(sdk: string): Provider | undefined {
  return PROVIDERS.get(BY_SDK[sdk]);
}

/** Vercel AI SDK provider packages (`openai('gpt-4o')` from `@ai-sdk/openai`) and LiteLLM model prefixes (`anthropic/claude-…`). */
const BY_PACKAGE_OR_PREFIX: Record<string, string> = {
  '@ai-sdk/openai': 'openai',
  '@ai-sdk/azure': 'azure-openai',
  '@ai-sdk/anthropic': 'anthropic',
  '@ai-sdk/google': 'google',
  '@ai-sdk/cohere': 'cohere',
  '@ai-sdk/mistral': 'mistral',
  '@ai-sdk/groq': 'groq',
  '@ai-sdk/togetherai': 'together',
  '@ai-sdk/xai': 'xai',
  '@ai-sdk/perplexity': 'perplexity',
  '@ai-sdk/deepseek': 'deepseek',
  '@openrouter/ai-sdk-provider': 'openrouter',
  openai: 'openai',
  azure: 'azure-openai',
  anthropic: 'anthropic',
  gemini: 'google',
  cohere: 'cohere',
  mistral: 'mistral',
  groq: 'groq',
  together_ai: 'together',
  replicate: 'replicate',
  huggingface: 'huggingface',
  xai: 'xai',
  perplexity: 'perplexity',
  deepseek: 'deepseek',
  openrouter: 'openrouter',
};

export function providerOfPackageOrPrefix(name: string): Provider | undefined {
  return PROVIDERS.get(BY_PACKAGE_OR_PREFIX[name]);
}

// ---------------------------------------------------------------------------------------------
// AI packages in manifests (PyPI names PEP 503-normalized; npm names as published)

const PYPI_AI = new RegExp(
  '^(' +
    [
      // Model provider SDKs and routers.
      'openai', 'anthropic', 'cohere', 'mistralai', 'groq', 'together', 'replicate', 'litellm', 'ollama', 'google-generativeai', 'google-genai', 'google-cloud-aiplatform', 'vertexai',
      // Agent and LLM frameworks, MCP.
      'langchain(-[a-z0-9-]+)?', 'langgraph(-[a-z0-9-]+)?', 'langsmith', 'llama-index(-[a-z0-9-]+)?', 'openai-agents', 'mcp', 'fastmcp', 'crewai(-tools)?', 'pyautogen', 'autogen(-[a-z0-9-]+)?', 'ag2', 'dspy(-ai)?', 'instructor', 'guidance', 'haystack-ai', 'farm-haystack', 'semantic-kernel', 'smolagents', 'pydantic-ai(-slim)?', 'tiktoken',
      // Model libraries and runtimes.
      'transformers', 'tokenizers', 'accelerate', 'peft', 'trl', 'diffusers', 'datasets', 'huggingface-hub', 'safetensors', 'sentence-transformers', 'timm', 'open-clip-torch', 'vllm', 'llama-cpp-python', 'ctransformers', 'bitsandbytes', 'optimum',
      'torch', 'torchvision', 'torchaudio', 'pytorch', 'pytorch-cpu', 'pytorch-gpu', 'tensorflow(-[a-z0-9-]+)?', 'tf-keras', 'keras', 'jax', 'jaxlib', 'flax', 'onnx', 'onnxruntime(-[a-z0-9-]+)?', 'scikit-learn', 'xgboost', 'lightgbm', 'catboost', 'spacy', 'gensim', 'joblib', 'mlflow',
      // Vector stores.
      'chromadb', 'faiss-cpu', 'faiss-gpu', 'pinecone', 'pinecone-client', 'weaviate-client', 'qdrant-client', 'pymilvus', 'lancedb',
    ].join('|') +
    ')$',
);

const NPM_AI = new RegExp(
  '^(' +
    [
      'openai', '@anthropic-ai/[a-z0-9-]+', '@google/generative-ai', '@google/genai', 'ai', '@ai-sdk/[a-z0-9-]+', '@openrouter/ai-sdk-provider', 'langchain', '@langchain/[a-z0-9-]+', 'llamaindex', '@llamaindex/[a-z0-9-]+',
      '@huggingface/[a-z0-9-]+', '@xenova/transformers', '@modelcontextprotocol/[a-z0-9-]+', '@openai/[a-z0-9-]+', 'cohere-ai', '@mistralai/mistralai', 'groq-sdk', 'replicate', 'ollama',
      'onnxruntime-(node|web|common|react-native)', '@tensorflow/[a-z0-9-]+', '@pinecone-database/pinecone', 'chromadb', '@qdrant/js-client-rest', 'tiktoken', 'js-tiktoken', 'gpt-tokenizer', '@mlc-ai/web-llm', 'node-llama-cpp',
    ].join('|') +
    ')$',
);

export function isAiPackage(ecosystem: 'pypi' | 'conda' | 'npm', name: string): boolean {
  return ecosystem === 'npm' ? NPM_AI.test(name) : PYPI_AI.test(name);
}
