// LangChain and LlamaIndex (Python) and LangChain.js.
import type { SdkModel } from './types';

const LC = String.raw`langchain(_core|_community|_openai|_anthropic|_google_genai|_mistralai|_ollama|_aws)?`;
// A chat model or chain object: `ChatOpenAI(...)`, `prompt | llm`, `create_*_chain(...)`.
const LC_RUNNABLE = new RegExp(String.raw`^${LC}\..*\(\)\.(invoke|ainvoke|stream|astream|batch|abatch|predict|apredict|run|arun|__call__)$`);

export const LANGCHAIN: SdkModel[] = [
  {
    sdk: 'langchain',
    language: 'python',
    docs: 'https://python.langchain.com/docs/concepts/messages/',
    calls: [
      { callee: new RegExp(String.raw`^${LC}\.(schema\.|messages\.|schema\.messages\.)?SystemMessage$`), slots: [{ kind: 'system', name: 'content', position: 0 }] },
      { callee: new RegExp(String.raw`^${LC}\.(schema\.|messages\.|schema\.messages\.)?HumanMessage$`), slots: [{ kind: 'prompt', name: 'content', position: 0 }] },
      { callee: new RegExp(String.raw`^${LC}\.(prompts\.|prompts\.chat\.)?SystemMessagePromptTemplate\.from_template$`), slots: [{ kind: 'system', name: 'template', position: 0 }, { kind: 'template', name: 'template', position: 0 }] },
      { callee: new RegExp(String.raw`^${LC}\.(prompts\.|prompts\.chat\.)?(ChatPromptTemplate|PromptTemplate|HumanMessagePromptTemplate)\.from_template$`), slots: [{ kind: 'template', name: 'template', position: 0 }] },
      { callee: new RegExp(String.raw`^${LC}\.(prompts\.|prompts\.prompt\.)?PromptTemplate$`), slots: [{ kind: 'template', name: 'template' }] },
      { callee: new RegExp(String.raw`^${LC}\.(prompts\.)?load_prompt$`), slots: [{ kind: 'template', name: 'path', position: 0 }] },
      // `ChatPromptTemplate.from_messages([("system", "..."), ...])`: tuples are checked by role.
      { callee: new RegExp(String.raw`^${LC}\.(prompts\.|prompts\.chat\.)?ChatPromptTemplate\.from_messages$`), slots: [{ kind: 'messages', name: 'messages', position: 0 }] },
      // `ChatPromptTemplate([("system", "..."), ...])` takes the same list.
      { callee: new RegExp(String.raw`^${LC}\.(prompts\.|prompts\.chat\.)?ChatPromptTemplate$`), slots: [{ kind: 'messages', name: 'messages', position: 0 }] },
      { callee: LC_RUNNABLE, fallback: /(^|\.)(llm|chat|model|chain|agent|agent_executor)\.(a?invoke|a?predict|a?run)$/i, output: true, slots: [{ kind: 'prompt', name: 'input', position: 0 }] },
      { callee: new RegExp(String.raw`^${LC}\.agents\.(create_\w+_agent|initialize_agent)$`), slots: [{ kind: 'system', name: 'prompt' }] },
    ],
  },
  {
    sdk: 'llama-index',
    language: 'python',
    docs: 'https://docs.llamaindex.ai/en/stable/module_guides/models/llms/',
    calls: [
      { callee: /^llama_index\.core\.(llms\.|base\.llms\.types\.)?ChatMessage$/, slots: [{ kind: 'prompt', name: 'content', position: 1, systemWhenRole: { name: 'role', position: 0 } }] },
      { callee: /^llama_index\..*\(\)\.(a?chat|a?complete|a?query|stream_chat|stream_complete)$/, output: true, slots: [{ kind: 'prompt', position: 0 }] },
      // Any LlamaIndex constructor or factory that takes `system_prompt=`.
      { callee: /^llama_index\..*$/, slots: [{ kind: 'system', name: 'system_prompt' }] },
    ],
  },
  {
    sdk: 'langchain.js',
    language: 'javascript',
    docs: 'https://js.langchain.com/docs/concepts/messages/',
    calls: [
      { callee: /^@?langchain\/.*\.SystemMessage(\(\))?$/, slots: [{ kind: 'system', position: 0 }, { kind: 'system', name: 'content', position: 0 }] },
      { callee: /^@?langchain\/.*\.HumanMessage(\(\))?$/, slots: [{ kind: 'prompt', position: 0 }] },
      { callee: /^@?langchain\/.*\.SystemMessagePromptTemplate\.fromTemplate$/, slots: [{ kind: 'system', position: 0 }, { kind: 'template', position: 0 }] },
      { callee: /^@?langchain\/.*\.(ChatPromptTemplate|PromptTemplate|HumanMessagePromptTemplate)\.fromTemplate$/, slots: [{ kind: 'template', position: 0 }] },
      { callee: /^@?langchain\/.*\.ChatPromptTemplate\.fromMessages$/, slots: [{ kind: 'messages', position: 0 }] },
      // `new PromptTemplate({ template, inputVariables })`.
      { callee: /^@?langchain\/.*\.PromptTemplate$/, slots: [{ kind: 'template', name: 'template', position: 0 }] },
      { callee: /^@?langchain\/.*\(\)\.(invoke|stream|batch|call|predict)$/, output: true, slots: [{ kind: 'prompt', position: 0 }] },
    ],
  },
];
