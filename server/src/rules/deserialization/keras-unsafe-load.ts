import type { Node } from 'web-tree-sitter';
import type { PythonFacts } from '../../engine/facts/python';
import { defineRule, type Detection } from '../../engine/rule';
import { resolveTarget } from '../python-helpers';
import { removeKeywordArgument } from '../python-edits';

// Keras 3 (`keras`), Keras 2 inside TensorFlow (`tf.keras`) and the standalone Keras 2 package.
const KERAS = '(?:keras|tensorflow\\.keras|tensorflow\\.python\\.keras|tf_keras)';
const LOAD_MODEL = new RegExp(`^${KERAS}\\.(?:models|saving)\\.load_model$`);
const ENABLE_UNSAFE = new RegExp(`^${KERAS}\\.config\\.enable_unsafe_deserialization$`);
const LEGACY_H5 = /\.(h5|hdf5)$/i;

/** safe-mode-off: safe_mode=False; h5: a legacy HDF5 file; dynamic: safe_mode is not a literal. */
type Problem = 'safe-mode-off' | 'h5' | 'dynamic' | 'enable-unsafe';

interface State extends Detection {
  name: string;
  problem: Problem;
  /** The safe_mode value, for the fix. */
  value?: Node;
}

const SEVERITY = {
  'safe-mode-off': ['error', 'high'],
  'enable-unsafe': ['error', 'high'],
  h5: ['warning', 'medium'],
  dynamic: ['info', 'low'],
} as const;

export default defineRule<State>({
  meta: {
    id: 'keras-unsafe-load',
    group: 'deserialization',
    title: 'Keras model loading that can run code from the model file',
    severity: 'warning',
    status: 'stable',
    fix: 'unsafe',
    cwe: [502],
    owasp: ['LLM03'],
    confidence: 'medium',
    references: [
      'https://keras.io/api/models/model_saving_apis/model_saving_and_loading/#load_model-function',
      'https://keras.io/api/layers/core_layers/lambda/',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  requires: /keras/,
  check(match, ctx) {
    const target = resolveTarget(match, ctx, (n) => LOAD_MODEL.test(n) || ENABLE_UNSAFE.test(n));
    if (!target?.call) return undefined;
    const detect = (problem: Problem, value?: Node): State => {
      const [severity, confidence] = SEVERITY[problem];
      return { node: target.node, name: target.name, problem, value, severity, confidence };
    };
    if (ENABLE_UNSAFE.test(target.name)) return detect('enable-unsafe');

    const args = ctx.python.callArguments(target.call);
    const value = args.keywords.get('safe_mode');
    const setting = value ? ctx.python.literal(value) : undefined;
    // None means "use the process-wide setting", which is safe unless enable_unsafe_deserialization ran.
    if (setting && setting.value !== null && !setting.value) return detect('safe-mode-off', value);
    const path = args.keywords.get('filepath') ?? args.positional[0];
    if (path && LEGACY_H5.test(pathEnding(path, ctx.python) ?? '')) return detect('h5');
    if (value && !setting) return detect('dynamic');
    return undefined;
  },
  message(s) {
    const name = `\`${s.name}\``;
    switch (s.problem) {
      case 'safe-mode-off':
        return `${name} is called with safe_mode=False, so Lambda layers in the model file are rebuilt from serialized Python bytecode and a crafted model runs arbitrary code when it is loaded. Keep the default safe_mode=True and replace Lambda layers with registered custom layers.`;
      case 'enable-unsafe':
        return `${name} turns off Keras safe mode for the whole process, so every later load can rebuild Lambda layers from serialized bytecode and a crafted model runs arbitrary code. Remove the call and replace Lambda layers with registered custom layers.`;
      case 'h5':
        return `${name} loads a legacy HDF5 model: Lambda layers in it are rebuilt from serialized Python bytecode, and Keras 2 and older Keras 3 releases do not apply safe_mode to HDF5 files, so a crafted model can run code. Load only HDF5 files you produced, or re-save the model in the .keras format.`;
      case 'dynamic':
        return `${name} sets safe_mode from an expression that is not a literal; when it is False a crafted model runs arbitrary code through its Lambda layers. Keep the default safe_mode=True.`;
    }
  },
  fixes(s, ctx) {
    const edits = s.problem === 'safe-mode-off' && s.value ? removeKeywordArgument(s.node, s.value, ctx.text) : undefined;
    return edits ? [{ title: 'Remove safe_mode=False (Keras defaults to safe mode)', applicability: 'unsafe', edits }] : [];
  },
});

/**
 * The end of a path expression as far as it is fixed text: a string (f-strings included),
 * `os.path.join(..., "model.h5")` or `Path(d) / "model.h5"`, following simple variables.
 */
function pathEnding(node: Node, python: PythonFacts): string | undefined {
  const def = python.definition(node);
  if (def.type === 'string' || def.type === 'concatenated_string') {
    const last = def.type === 'string' ? def : def.namedChildren.at(-1);
    const content = last?.namedChildren.filter((c) => c?.type === 'string_content' || c?.type === 'interpolation').at(-1);
    return content?.type === 'string_content' ? content.text : undefined;
  }
  if (def.type === 'binary_operator' && def.childForFieldName('operator')?.type === '/') {
    const right = def.childForFieldName('right');
    return right ? pathEnding(right, python) : undefined;
  }
  if (def.type === 'call' && python.resolve(def.childForFieldName('function')) === 'os.path.join') {
    const last = python.callArguments(def).positional.at(-1);
    return last ? pathEnding(last, python) : undefined;
  }
  return undefined;
}
