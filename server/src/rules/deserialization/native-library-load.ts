import type { Node } from 'web-tree-sitter';
import type { PythonFacts } from '../../engine/facts/python';
import { defineRule, type Detection } from '../../engine/rule';
import { resolveTarget } from '../python-helpers';
import { mentions } from '../prefilters';

/** Loaders of native code, with the argument (keyword, position) that names the library. */
const ML_LOADERS = new Map<string, [string, number]>([
  ['tensorflow.load_library', ['library_location', 0]],
  ['tensorflow.load_op_library', ['library_filename', 0]],
  ['tensorflow.compat.v1.load_library', ['library_location', 0]],
  ['tensorflow.compat.v1.load_op_library', ['library_filename', 0]],
  ['torch.ops.load_library', ['path', 0]],
  ['torch.classes.load_library', ['path', 0]],
  ['onnxruntime.SessionOptions().register_custom_ops_library', ['library_path', 0]],
]);
const FFI_LOADERS = new Map<string, [string, number]>([
  ...['CDLL', 'PyDLL', 'WinDLL', 'OleDLL'].map((c): [string, [string, number]] => [`ctypes.${c}`, ['name', 0]]),
  ...['cdll', 'pydll', 'windll', 'oledll'].map((l): [string, [string, number]] => [`ctypes.${l}.LoadLibrary`, ['name', 0]]),
  ['cffi.FFI().dlopen', ['name', 0]],
]);

/** An installed package's own API for the path of the library it ships: as trusted as importing it. */
const INSTALLED_LIBRARY_PATHS = new Set(['onnxruntime_extensions.get_library_path']);
/** Paths next to the calling module's file, like `__file__`-relative ones. */
const isModuleRelative = (name: string) => name.endsWith('resource_loader.get_path_to_datafile');

/** untrusted: visibly from a request, download or the command line; fixed: a literal or package-relative path. */
type Origin = 'untrusted' | 'variable' | 'fixed';

interface State extends Detection {
  name: string;
  origin: Origin;
  source?: string;
}

const SEVERITY = { untrusted: ['error', 'high'], variable: ['warning', 'medium'], fixed: ['info', 'low'] } as const;

export default defineRule<State>({
  meta: {
    id: 'native-library-load',
    group: 'deserialization',
    title: 'Native library loaded from a path that may not be trusted',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [114, 829],
    owasp: ['LLM03'],
    confidence: 'medium',
    references: [
      'https://www.tensorflow.org/guide/create_op#use_the_op_in_python',
      'https://pytorch.org/docs/stable/library.html',
      'https://onnxruntime.ai/docs/reference/operators/add-custom-op.html',
      'https://docs.python.org/3/library/ctypes.html#loading-shared-libraries',
      'https://cwe.mitre.org/data/definitions/114.html',
      'https://cwe.mitre.org/data/definitions/829.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  requires: mentions('tensorflow', 'torch', 'onnxruntime', 'ctypes', 'cffi'),
  check(match, ctx) {
    const target = resolveTarget(match, ctx, (n) => ML_LOADERS.has(n) || FFI_LOADERS.has(n));
    if (!target?.call) return undefined;
    const ffi = FFI_LOADERS.has(target.name);
    const [keyword, position] = (ffi ? FFI_LOADERS : ML_LOADERS).get(target.name)!;
    const path = ctx.python.argument(target.call, keyword, position);
    if (!path || ctx.python.isCallTo(path, (n) => INSTALLED_LIBRARY_PATHS.has(n))) return undefined;
    const source = ctx.python.untrustedOrigin(path);
    const origin: Origin = source ? 'untrusted' : isFixed(path, ctx.python) ? 'fixed' : 'variable';
    // ctypes/cffi with a fixed name is the everyday FFI idiom for system libraries (libc, CUDA,
    // kernel32) and a package's own helpers; custom-op loaders exist to load project binaries, so
    // even a fixed path is worth a note there.
    if (ffi && origin === 'fixed') return undefined;
    const [severity, confidence] = SEVERITY[origin];
    return { node: target.node, name: target.name, origin, source, severity, confidence };
  },
  message(s) {
    const loads = `\`${s.name}\` loads a native library`;
    const runs = 'its initialisation code runs with the full rights of this process, outside any Python sandbox or model-format check';
    switch (s.origin) {
      case 'untrusted':
        return `${loads} whose path comes from ${s.source}: ${runs}, so whoever controls the path runs code here. Load only libraries installed with the application, from a fixed path.`;
      case 'variable':
        return `${loads} from a path chosen at run time: ${runs}. Make sure the path cannot come from a model repository, a config file or user input; prefer a fixed path inside the installed package.`;
      case 'fixed':
        return `${loads} from a fixed path: ${runs}. Build it from source you control and ship it with the package rather than with model files.`;
    }
  },
});

/** Functions that only build paths from their arguments. */
const PATH_BUILDERS = /^(os\.path\.\w+|os\.fspath|pathlib\.(Pure)?Path|builtins\.str)$/;

/**
 * Whether the path is fixed when the code is written: built only from literals and `__file__`
 * (a package-relative path) with path functions, or a library found by a fixed name.
 */
function isFixed(path: Node, python: PythonFacts, depth = 0): boolean {
  if (depth > 8) return false;
  if (python.literal(path) !== undefined) return true;
  const def = python.definition(path);
  const fixed = (n: Node | null | undefined) => !!n && isFixed(n, python, depth + 1);
  switch (def.type) {
    case 'identifier':
      return def.text === '__file__';
    case 'string':
      return def.namedChildren.every((c) => c?.type !== 'interpolation' || fixed(c.childForFieldName('expression') ?? c.namedChildren[0]));
    case 'concatenated_string':
      return def.namedChildren.every(fixed);
    case 'binary_operator':
      return fixed(def.childForFieldName('left')) && fixed(def.childForFieldName('right'));
    case 'attribute': // Path(__file__).parent
      return fixed(def.childForFieldName('object'));
    case 'call': {
      const fn = def.childForFieldName('function');
      const callee = python.resolve(fn);
      if (callee && isModuleRelative(callee)) return true;
      if (callee === 'ctypes.util.find_library') return fixed(python.argument(def, 'name', 0));
      // A path function, or a method of a fixed path: Path(__file__).with_name("x.so").
      const builds = (callee !== undefined && PATH_BUILDERS.test(callee)) || (fn?.type === 'attribute' && fixed(fn.childForFieldName('object')));
      const args = python.callArguments(def);
      return builds && !args.unresolvedSplat && args.positional.every(fixed) && [...args.keywords.values()].every(fixed);
    }
    default:
      return false;
  }
}
