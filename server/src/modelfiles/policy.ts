// Which pickle imports are dangerous. Allow-list first (known data types are not findings),
// then a deny-list that decides severity; anything else is unknown. The lists follow
// /work/shared/design MODEL-FILES.md ("Pickle analysis").

export type Verdict = 'allowed' | 'critical' | 'high' | 'unknown';

export interface Classification {
  verdict: Verdict;
  /** Why, in a few words, for messages. */
  reason: string;
  /** `module.name` after normalisation (builtins aliases, Python 2 names). */
  normalized: string;
  /** The import is a pickle-inside-pickle loader whose bytes argument must be scanned too. */
  nestedLoader?: boolean;
}

/** Python 2 module names an unpickler maps to Python 3 ones (pickle's fix_imports), and builtins aliases. */
const MODULE_ALIASES: Record<string, string> = {
  __builtin__: 'builtins',
  __builtins__: 'builtins',
  exceptions: 'builtins',
  copy_reg: 'copyreg',
};

export function normalizeModule(module: string): string {
  return MODULE_ALIASES[module] ?? module;
}

const CRITICAL_MODULES = new Set(
  (
    'os nt posix subprocess _posixsubprocess _winapi sys pty pexpect pipes commands multiprocessing _thread ' +
    'threading signal atexit runpy code codeop marshal types compileall py_compile importlib _imp imp pkgutil ' +
    'zipimport site inspect gc pickle _pickle cPickle dill cloudpickle joblib shelve socket ssl http httplib ' +
    'urllib urllib2 requests httpx aiohttp asyncio smtplib ftplib telnetlib socketserver xmlrpc webbrowser ' +
    'ctypes _ctypes cffi shutil tempfile glob distutils setuptools venv ensurepip pip pydoc pdb bdb cProfile ' +
    'profile timeit trace doctest idlelib lib2to3 logging.config tarfile zipfile sqlite3 _osx_support ' +
    '_aix_support _pyrepl platform linecache'
  ).split(' '),
);

/** Importing a pickle scanner from inside a pickle has no use except tampering with the scan. */
const SCANNER_MODULES = new Set(['picklescan', 'modelscan', 'fickling', 'modelaudit']);

const BUILTIN_CRITICAL = new Set(
  'eval exec execfile compile open input __import__ reload getattr setattr delattr globals locals vars breakpoint apply file'.split(' '),
);

/** Attribute names that only serve to climb from an object to its module globals or to builtins. */
const DUNDER_ESCAPES = new Set(
  '__globals__ __builtins__ __subclasses__ __class__ __bases__ __base__ __mro__ __code__ __import__ __loader__ __spec__ __dict__ __getattribute__ __reduce__ __reduce_ex__ __init__ __new__ __func__ __self__ __closure__ __call__'.split(
    ' ',
  ),
);

/** Exact `module.name` entries. */
const CRITICAL_NAMES = new Map<string, Verdict>([
  ...['attrgetter', 'itemgetter', 'methodcaller'].flatMap((n) => [[`operator.${n}`, 'critical'], [`_operator.${n}`, 'critical']] as [string, Verdict][]),
  ['functools.partial', 'high'],
  ['functools.reduce', 'high'],
  ['_functools.partial', 'high'],
  ['_functools.reduce', 'high'],
  ['io.open', 'critical'],
  ['_io.open', 'critical'],
  ['io.FileIO', 'critical'],
  ['_io.FileIO', 'critical'],
  ['io.open_code', 'critical'],
  ['codecs.open', 'critical'],
  ['numpy.load', 'critical'],
  ['numpy.testing._private.utils.runstring', 'critical'],
  ['torch.load', 'critical'],
  ['torch.serialization.load', 'critical'],
  ['torch.storage._load_from_bytes', 'critical'],
  ['torch.ops.load_library', 'critical'],
  ['torch.classes.load_library', 'critical'],
  ['copyreg.add_extension', 'critical'],
  ['copyreg.remove_extension', 'critical'],
  ['pandas.read_pickle', 'critical'],
  ['pandas.io.pickle.read_pickle', 'critical'],
]);

/** `prefix.*`: everything under these paths. */
const CRITICAL_PREFIXES = [
  'numpy.f2py',
  'numpy.ctypeslib',
  'torch.hub',
  'torch._dynamo',
  'torch._inductor',
  'torch.jit',
  'torch.utils.collect_env',
  'torch.utils.cpp_extension',
  'torch.distributed.rpc',
  'torch.package',
];

const PATHLIB_FILE_METHODS = /(^|\.)(open|read_text|read_bytes|write_text|write_bytes|unlink|rmdir|rename|replace|touch|mkdir|chmod|lchmod|symlink_to|hardlink_to|link_to|iterdir|glob|rglob)$/;

// ---- allow-list seed

const SAFE_BUILTINS = new Set('set frozenset bytearray bytes complex slice int float str bool list tuple dict range object'.split(' '));

const TORCH_DTYPES =
  'float32 float float64 double float16 half bfloat16 uint8 int8 int16 short int32 int int64 long bool complex32 chalf complex64 cfloat complex128 cdouble ' +
  'quint8 qint8 qint32 quint4x2 quint2x4 float8_e4m3fn float8_e5m2 float8_e4m3fnuz float8_e5m2fnuz float8_e8m0fnu float4_e2m1fn_x2 uint16 uint32 uint64 bits8 bits16';
const TORCH_NAMES = new Set([
  'Size', 'Tensor', 'device', 'dtype', 'layout', 'memory_format', 'qscheme',
  ...TORCH_DTYPES.split(' '),
  // layouts, memory formats and quantization schemes are singletons pickled by name
  'strided', 'sparse_coo', 'sparse_csr', 'sparse_csc', 'sparse_bsr', 'sparse_bsc', '_mkldnn', 'jagged',
  'contiguous_format', 'channels_last', 'channels_last_3d', 'preserve_format',
  'per_tensor_affine', 'per_channel_affine', 'per_tensor_symmetric', 'per_channel_symmetric', 'per_channel_affine_float_qparams',
]);

const NUMPY_SCALARS = new Set(
  ('dtype ndarray bool_ bool int8 int16 int32 int64 uint8 uint16 uint32 uint64 intc uintc int_ uint intp uintp longlong ulonglong ' +
    'float16 float32 float64 half single double longdouble float_ complex64 complex128 clongdouble complex_ str_ unicode_ bytes_ string_ void object_ ' +
    'datetime64 timedelta64 generic number integer floating').split(' '),
);

const SKLEARN_ESTIMATORS = new Set(
  ('LogisticRegression LinearRegression Ridge RidgeClassifier Lasso ElasticNet SGDClassifier SGDRegressor Perceptron ' +
    'RandomForestClassifier RandomForestRegressor ExtraTreesClassifier ExtraTreesRegressor GradientBoostingClassifier GradientBoostingRegressor ' +
    'HistGradientBoostingClassifier HistGradientBoostingRegressor AdaBoostClassifier AdaBoostRegressor BaggingClassifier ' +
    'DecisionTreeClassifier DecisionTreeRegressor ExtraTreeClassifier ExtraTreeRegressor Tree ' +
    'KNeighborsClassifier KNeighborsRegressor NearestNeighbors KDTree BallTree SVC SVR LinearSVC LinearSVR NuSVC ' +
    'GaussianNB MultinomialNB BernoulliNB ComplementNB KMeans MiniBatchKMeans DBSCAN PCA TruncatedSVD NMF ' +
    'StandardScaler MinMaxScaler MaxAbsScaler RobustScaler Normalizer OneHotEncoder OrdinalEncoder LabelEncoder LabelBinarizer ' +
    'PolynomialFeatures SimpleImputer Pipeline FeatureUnion ColumnTransformer CountVectorizer TfidfVectorizer TfidfTransformer ' +
    'HashingVectorizer DictVectorizer VarianceThreshold SelectKBest').split(' '),
);

const ALLOWED_EXACT = new Set([
  'collections.OrderedDict',
  'collections.Counter',
  'collections.defaultdict',
  'collections.deque',
  '_codecs.encode',
  // copyreg helpers call cls.__new__ on a class that is itself an import of the stream (and classified)
  'copyreg._reconstructor',
  'copyreg.__newobj__',
  'copyreg.__newobj_ex__',
  'datetime.datetime',
  'datetime.date',
  'datetime.time',
  'datetime.timedelta',
  'datetime.timezone',
  'torch.nn.parameter.Parameter',
  'torch._tensor._rebuild_from_type_v2',
  'torch.serialization._get_layout',
  'torch.storage.TypedStorage',
  'torch.storage.UntypedStorage',
  'numpy.core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray._reconstruct',
  'numpy._core.multiarray.scalar',
  'numpy.core.numeric._frombuffer',
  'numpy._core.numeric._frombuffer',
  'numpy.ma.core._mareconstruct',
  // RandomState / Generator objects inside scikit-learn estimators are rebuilt from a bit-generator name
  'numpy.random._pickle.__randomstate_ctor',
  'numpy.random._pickle.__generator_ctor',
  'numpy.random._pickle.__bit_generator_ctor',
  // joblib writes array data inline after these wrappers (read by the pickle reader, not executed)
  'joblib.numpy_pickle.NumpyArrayWrapper',
  'joblib.numpy_pickle.NDArrayWrapper',
]);

function isAllowed(module: string, name: string, torchscript: boolean): boolean {
  if (name.includes('.')) return false;
  if (ALLOWED_EXACT.has(`${module}.${name}`)) return true;
  if (module === 'builtins') return SAFE_BUILTINS.has(name);
  if (module === 'torch') return TORCH_NAMES.has(name) || /^[A-Za-z0-9]*Storage$/.test(name);
  if (module === 'torch.cuda') return /^[A-Za-z0-9]*Storage$/.test(name);
  if (module === 'torch._utils') return /^_rebuild_\w+$/.test(name);
  if (module === 'numpy') return NUMPY_SCALARS.has(name);
  if (module === 'numpy.dtypes') return /^\w+DType$/.test(name);
  if (module.startsWith('sklearn.')) return SKLEARN_ESTIMATORS.has(name);
  // TorchScript archives are read by the C++ unpickler, which resolves these against the archive's own code
  if (torchscript) return module === '__torch__' || module.startsWith('__torch__.') || module === 'torch.jit._pickle';
  return false;
}

function prefixes(path: string): string[] {
  const parts = path.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

export function classifyGlobal(module: string, name: string, opts: { torchscript?: boolean } = {}): Classification {
  const m = normalizeModule(module);
  const full = `${m}.${name}`;
  const normalized = full;
  if (isAllowed(m, name, opts.torchscript ?? false)) return { verdict: 'allowed', reason: 'allow-listed', normalized };

  const paths = prefixes(full);
  const scanner = prefixes(m).find((p) => SCANNER_MODULES.has(p));
  if (scanner) return { verdict: 'critical', reason: `imports the scanner module ${scanner}: overtly malicious (tampering with security scanning)`, normalized };

  const criticalModule = paths.slice(0, -1).find((p) => CRITICAL_MODULES.has(p)) ?? (CRITICAL_MODULES.has(full) ? full : undefined);
  if (criticalModule) return { verdict: 'critical', reason: `module ${criticalModule} can run commands, load code or touch files and the network`, normalized };

  const exact = CRITICAL_NAMES.get(full);
  if (exact) return { verdict: exact, reason: exact === 'high' ? 'builds calls to other callables' : 'loads data, code or files when called', normalized, nestedLoader: full === 'torch.storage._load_from_bytes' };
  const prefix = CRITICAL_PREFIXES.find((p) => full.startsWith(`${p}.`));
  if (prefix) return { verdict: 'critical', reason: `${prefix}.* can load or compile code`, normalized };
  if (m === 'builtins' && BUILTIN_CRITICAL.has(name)) return { verdict: 'critical', reason: 'a builtin that runs code, imports, opens files or reaches attributes', normalized };
  if (/^numpy(\.|$)/.test(m) && /(^|\.)load$/.test(name)) return { verdict: 'critical', reason: 'numpy load functions unpickle their input', normalized };
  if (/^pandas(\.|$)/.test(m) && /(^|\.)read_pickle$/.test(name)) return { verdict: 'critical', reason: 'read_pickle unpickles its input', normalized };
  if ((m === 'pathlib' || m.startsWith('pathlib.')) && PATHLIB_FILE_METHODS.test(name)) return { verdict: 'critical', reason: 'pathlib methods read, write or delete files', normalized };

  const parts = name.split('.');
  for (const part of parts) {
    if (DUNDER_ESCAPES.has(part)) return { verdict: 'critical', reason: `the name walks through ${part}, a way out to globals and builtins`, normalized };
    if (parts.length > 1 && (CRITICAL_MODULES.has(part) || BUILTIN_CRITICAL.has(part) || SCANNER_MODULES.has(part))) {
      return { verdict: 'critical', reason: `the dotted name reaches ${part} through attribute traversal`, normalized };
    }
  }
  return { verdict: 'unknown', reason: 'not on the allow-list of data types', normalized };
}
