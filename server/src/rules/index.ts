// The explicit, sorted registry of rules (no file-system discovery: it breaks under bundling).
// A test checks that every rule file is registered here, documented and has fixtures.
import type { AnyRule } from '../engine/rule';
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
import llmOutputMarkdownExfiltration from './output-handling/llm-output-markdown-exfiltration';
import llmOutputToCodeExec from './output-handling/llm-output-to-code-exec';
import llmOutputToHtml from './output-handling/llm-output-to-html';
import llmOutputToShell from './output-handling/llm-output-to-shell';
import llmOutputToSql from './output-handling/llm-output-to-sql';
import hubDownloadUnpinned from './supply-chain/hub-download-unpinned';
import modelDownloadWithoutIntegrity from './supply-chain/model-download-without-integrity';
import preferSafetensors from './supply-chain/prefer-safetensors';
import remoteCodeUnpinned from './supply-chain/remote-code-unpinned';
import torchHubLoad from './supply-chain/torch-hub-load';
import trustRemoteCode from './supply-chain/trust-remote-code';

export const RULES: readonly AnyRule[] = [
  hubDownloadUnpinned,
  joblibLoad,
  jsUnsafeDeserialization,
  kerasUnsafeLoad,
  llmOutputMarkdownExfiltration,
  llmOutputToCodeExec,
  llmOutputToHtml,
  llmOutputToShell,
  llmOutputToSql,
  marshalDeserialization,
  modelDownloadWithoutIntegrity,
  nativeLibraryLoad,
  numpyLoadAllowPickle,
  pandasReadPickle,
  pickleDeserialization,
  preferSafetensors,
  remoteCodeUnpinned,
  torchHubLoad,
  torchLoadWithoutWeightsOnly,
  torchPickleApis,
  trustRemoteCode,
  vectorstoreUnsafeLoad,
  yamlUnsafeLoad,
];
