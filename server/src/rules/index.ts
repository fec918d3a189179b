// The explicit, sorted registry of rules (no file-system discovery: it breaks under bundling).
// A test checks that every rule file is registered here, documented and has fixtures.
import type { AnyRule } from '../engine/rule';
import agentToolRunsShell from './agency/agent-tool-runs-shell';
import agentUnboundedLoop from './agency/agent-unbounded-loop';
import dangerousAgentTool from './agency/dangerous-agent-tool';
import dangerousFlagEnabled from './agency/dangerous-flag-enabled';
import destructiveToolWithoutApproval from './agency/destructive-tool-without-approval';
import mcpToolPoisoning from './agency/mcp-tool-poisoning';
import unscopedFileTools from './agency/unscoped-file-tools';
import agentAutoEnableMcp from './agent-config/agent-auto-enable-mcp';
import agentEndpointOverride from './agent-config/agent-endpoint-override';
import agentHookUnsafe from './agent-config/agent-hook-unsafe';
import agentPermissionsBypass from './agent-config/agent-permissions-bypass';
import agentPermissionsWildcard from './agent-config/agent-permissions-wildcard';
import mcpDangerousLaunch from './agent-config/mcp-dangerous-launch';
import mcpInsecureTransport from './agent-config/mcp-insecure-transport';
import mcpPlaintextSecret from './agent-config/mcp-plaintext-secret';
import mcpToxicFlow from './agent-config/mcp-toxic-flow';
import mcpUnpinnedPackage from './agent-config/mcp-unpinned-package';
import analysisTimeBudget from './analysis/analysis-time-budget';
import joblibLoad from './deserialization/joblib-load';
import jsUnsafeDeserialization from './deserialization/js-unsafe-deserialization';
import kerasUnsafeLoad from './deserialization/keras-unsafe-load';
import marshalDeserialization from './deserialization/marshal-deserialization';
import nativeLibraryLoad from './deserialization/native-library-load';
import numpyLoadAllowPickle from './deserialization/numpy-load-allow-pickle';
import pandasReadPickle from './deserialization/pandas-read-pickle';
import pickleDeserialization from './deserialization/pickle-deserialization';
import torchLoadWithoutWeightsOnly from './deserialization/torch-load-without-weights-only';
import torchPickleApis from './deserialization/torch-pickle-apis';
import vectorstoreUnsafeLoad from './deserialization/vectorstore-unsafe-load';
import yamlUnsafeLoad from './deserialization/yaml-unsafe-load';
import bidiControlCharacters from './hidden-content/bidi-control-characters';
import hiddenUnicodeTagCharacters from './hidden-content/hidden-unicode-tag-characters';
import invisibleCharacters from './hidden-content/invisible-characters';
import obfuscatedInstructions from './hidden-content/obfuscated-instructions';
import rulesFileBackdoor from './hidden-content/rules-file-backdoor';
import llmCallWithoutMaxTokens from './limits/llm-call-without-max-tokens';
import llmClientWithoutTimeout from './limits/llm-client-without-timeout';
import ggufChatTemplateInjection from './model-files/gguf-chat-template-injection';
import kerasLambdaLayer from './model-files/keras-lambda-layer';
import malformedModelFile from './model-files/malformed-model-file';
import maliciousPickleGlobal from './model-files/malicious-pickle-global';
import modelFileSkipped from './model-files/model-file-skipped';
import numpyObjectArray from './model-files/numpy-object-array';
import onnxUnsafeReference from './model-files/onnx-unsafe-reference';
import safetensorsHeaderInvalid from './model-files/safetensors-header-invalid';
import torchscriptCode from './model-files/torchscript-code';
import unknownPickleGlobal from './model-files/unknown-pickle-global';
import llmOutputMarkdownExfiltration from './output-handling/llm-output-markdown-exfiltration';
import llmOutputToCodeExec from './output-handling/llm-output-to-code-exec';
import llmOutputToHtml from './output-handling/llm-output-to-html';
import llmOutputToPath from './output-handling/llm-output-to-path';
import llmOutputToShell from './output-handling/llm-output-to-shell';
import llmOutputToSql from './output-handling/llm-output-to-sql';
import llmOutputToUrl from './output-handling/llm-output-to-url';
import llmToolDispatchWithoutAllowlist from './output-handling/llm-tool-dispatch-without-allowlist';
import injectionPronePrompt from './prompt-injection/injection-prone-prompt';
import promptInjectionPhrase from './prompt-injection/prompt-injection-phrase';
import promptTemplateInjection from './prompt-injection/prompt-template-injection';
import secretInPrompt from './prompt-injection/secret-in-prompt';
import systemPromptInClientBundle from './prompt-injection/system-prompt-in-client-bundle';
import templateVarInSystemSection from './prompt-injection/template-var-in-system-section';
import untrustedInputInSystemPrompt from './prompt-injection/untrusted-input-in-system-prompt';
import untrustedInputWithoutDelimiters from './prompt-injection/untrusted-input-without-delimiters';
import aiClientInBrowser from './secrets/ai-client-in-browser';
import hardcodedAiApiKey from './secrets/hardcoded-ai-api-key';
import llmDebugLogging from './secrets/llm-debug-logging';
import hubDownloadUnpinned from './supply-chain/hub-download-unpinned';
import modelDownloadWithoutIntegrity from './supply-chain/model-download-without-integrity';
import preferSafetensors from './supply-chain/prefer-safetensors';
import remoteCodeUnpinned from './supply-chain/remote-code-unpinned';
import torchHubLoad from './supply-chain/torch-hub-load';
import trustRemoteCode from './supply-chain/trust-remote-code';

export const RULES: readonly AnyRule[] = [
  agentAutoEnableMcp,
  agentEndpointOverride,
  agentHookUnsafe,
  agentPermissionsBypass,
  agentPermissionsWildcard,
  agentToolRunsShell,
  agentUnboundedLoop,
  aiClientInBrowser,
  analysisTimeBudget,
  bidiControlCharacters,
  dangerousAgentTool,
  dangerousFlagEnabled,
  destructiveToolWithoutApproval,
  ggufChatTemplateInjection,
  hardcodedAiApiKey,
  hiddenUnicodeTagCharacters,
  hubDownloadUnpinned,
  injectionPronePrompt,
  invisibleCharacters,
  joblibLoad,
  jsUnsafeDeserialization,
  kerasLambdaLayer,
  kerasUnsafeLoad,
  llmCallWithoutMaxTokens,
  llmClientWithoutTimeout,
  llmDebugLogging,
  llmOutputMarkdownExfiltration,
  llmOutputToCodeExec,
  llmOutputToHtml,
  llmOutputToPath,
  llmOutputToShell,
  llmOutputToSql,
  llmOutputToUrl,
  llmToolDispatchWithoutAllowlist,
  malformedModelFile,
  maliciousPickleGlobal,
  marshalDeserialization,
  mcpDangerousLaunch,
  mcpInsecureTransport,
  mcpPlaintextSecret,
  mcpToolPoisoning,
  mcpToxicFlow,
  mcpUnpinnedPackage,
  modelDownloadWithoutIntegrity,
  modelFileSkipped,
  nativeLibraryLoad,
  numpyLoadAllowPickle,
  numpyObjectArray,
  obfuscatedInstructions,
  onnxUnsafeReference,
  pandasReadPickle,
  pickleDeserialization,
  preferSafetensors,
  promptInjectionPhrase,
  promptTemplateInjection,
  remoteCodeUnpinned,
  rulesFileBackdoor,
  safetensorsHeaderInvalid,
  secretInPrompt,
  systemPromptInClientBundle,
  templateVarInSystemSection,
  torchHubLoad,
  torchLoadWithoutWeightsOnly,
  torchPickleApis,
  torchscriptCode,
  trustRemoteCode,
  unknownPickleGlobal,
  unscopedFileTools,
  untrustedInputInSystemPrompt,
  untrustedInputWithoutDelimiters,
  vectorstoreUnsafeLoad,
  yamlUnsafeLoad,
];
