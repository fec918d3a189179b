// The explicit, sorted registry of rules (no file-system discovery: it breaks under bundling).
// A test checks that every rule file is registered here, documented and has fixtures.
import type { AnyRule } from '../engine/rule';
import jsUnsafeDeserialization from './deserialization/js-unsafe-deserialization';
import joblibLoad from './deserialization/joblib-load';
import kerasUnsafeLoad from './deserialization/keras-unsafe-load';
import llmOutputMarkdownExfiltration from './output-handling/llm-output-markdown-exfiltration';
import llmOutputToCodeExec from './output-handling/llm-output-to-code-exec';
import llmOutputToHtml from './output-handling/llm-output-to-html';
import llmOutputToShell from './output-handling/llm-output-to-shell';
import llmOutputToSql from './output-handling/llm-output-to-sql';
import marshalDeserialization from './deserialization/marshal-deserialization';
import nativeLibraryLoad from './deserialization/native-library-load';
import numpyLoadAllowPickle from './deserialization/numpy-load-allow-pickle';
import pandasReadPickle from './deserialization/pandas-read-pickle';
import pickleDeserialization from './deserialization/pickle-deserialization';
import torchLoadWithoutWeightsOnly from './deserialization/torch-load-without-weights-only';
import torchPickleApis from './deserialization/torch-pickle-apis';
import vectorstoreUnsafeLoad from './deserialization/vectorstore-unsafe-load';
import yamlUnsafeLoad from './deserialization/yaml-unsafe-load';

export const RULES: readonly AnyRule[] = [
  joblibLoad,
  jsUnsafeDeserialization,
  kerasUnsafeLoad,
  llmOutputMarkdownExfiltration,
  llmOutputToCodeExec,
  llmOutputToHtml,
  llmOutputToShell,
  llmOutputToSql,
  marshalDeserialization,
  nativeLibraryLoad,
  numpyLoadAllowPickle,
  pandasReadPickle,
  pickleDeserialization,
  torchLoadWithoutWeightsOnly,
  torchPickleApis,
  vectorstoreUnsafeLoad,
  yamlUnsafeLoad,
];
