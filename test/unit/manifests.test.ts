// Python dependency manifests: every format the reader knows, the walk up the folders, the
// cache, and the "lowest version the project can run" judgement rules rely on.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import {
  atLeast,
  compareVersions,
  documentFolder,
  findPythonDependencies,
  lowestVersionOf,
  minimumVersionOf,
  parseCondaSpec,
  parseRequirement,
  PythonDependencyCache,
  readPythonManifest,
  specifierBounds,
  type PythonDependency,
} from '../../server/src/engine/manifests/python';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A temporary project: files by relative path. A `.git` folder marks the repository root. */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'airlock-manifests-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    if (path.endsWith('/')) mkdirSync(join(root, path), { recursive: true });
    else writeFileSync(join(root, path), text);
  }
  return root;
}

function only(deps: PythonDependency[], name: string): PythonDependency {
  const found = deps.filter((d) => d.name === name);
  assert.equal(found.length, 1, `${name}: ${JSON.stringify(deps.map((d) => d.name))}`);
  return found[0];
}

describe('versions', () => {
  it('orders PEP 440 versions', () => {
    const ordered = ['1.0.dev1', '1.0a1', '1.0b2', '1.0rc1', '1.0', '1.0.post1', '1.0.1', '2.5.1', '2.6.0', '2.6.0+cu124', '2.10', '1!0.1'];
    for (let i = 0; i + 1 < ordered.length; i++) assert.ok(compareVersions(ordered[i], ordered[i + 1]) < 0, `${ordered[i]} < ${ordered[i + 1]}`);
    assert.equal(compareVersions('2.6', '2.6.0'), 0);
    assert.ok(atLeast('2.6.0+cu124', '2.6'));
    assert.ok(!atLeast('2.6.0rc1', '2.6'));
    assert.ok(!atLeast('not-a-version', '2.6'));
  });

  it('reads lower bounds and exact pins from specifiers', () => {
    assert.deepEqual(specifierBounds('==2.6.0'), { exactVersion: '2.6.0', minimumVersion: '2.6.0' });
    assert.deepEqual(specifierBounds('>=2.6,<3'), { minimumVersion: '2.6' });
    assert.deepEqual(specifierBounds('~=2.6.1'), { minimumVersion: '2.6.1' });
    assert.deepEqual(specifierBounds('==2.6.*'), { minimumVersion: '2.6' });
    assert.deepEqual(specifierBounds('>2.5'), { minimumVersion: '2.5' });
    assert.deepEqual(specifierBounds('<3'), {});
    assert.deepEqual(specifierBounds('!=2.5.0'), {});
    assert.deepEqual(specifierBounds('^2.6', 'poetry'), { minimumVersion: '2.6' });
    assert.deepEqual(specifierBounds('2.6.0', 'poetry'), { exactVersion: '2.6.0', minimumVersion: '2.6.0' });
    assert.deepEqual(specifierBounds('>=2.6 || >=1.13,<2', 'poetry'), { minimumVersion: '1.13' });
    assert.deepEqual(specifierBounds('>=2.6 || <1', 'poetry'), {});
    assert.deepEqual(specifierBounds('*', 'poetry'), {});
  });
});

describe('requirement strings', () => {
  it('parses names, extras, specifiers, markers and direct references', () => {
    const r = parseRequirement('Torch[Opt_Einsum] >= 2.6 ; python_version >= "3.9"');
    assert.equal(r?.name, 'torch');
    assert.deepEqual(r?.extras, ['Opt_Einsum']);
    assert.equal(r?.specifier, '>=2.6');
    assert.equal(r?.marker, 'python_version >= "3.9"');
    assert.equal(r?.bounds.minimumVersion, '2.6');
    assert.equal(parseRequirement('sentence_transformers')?.name, 'sentence-transformers');
    const url = parseRequirement('torch @ https://download.pytorch.org/whl/cu124/torch-2.6.0%2Bcu124-cp311-cp311-linux_x86_64.whl');
    assert.equal(url?.bounds.exactVersion, '2.6.0+cu124');
    assert.equal(parseRequirement('torch (>=2.6)')?.bounds.minimumVersion, '2.6');
  });

  it('parses conda match specs', () => {
    assert.deepEqual(parseCondaSpec('pytorch::pytorch=2.6.0=py3.11_cuda12.4_cudnn9_0')?.bounds, { minimumVersion: '2.6.0' });
    assert.deepEqual(parseCondaSpec('pytorch==2.6.0')?.bounds, { exactVersion: '2.6.0', minimumVersion: '2.6.0' });
    assert.deepEqual(parseCondaSpec('pytorch >=2.6,<3')?.bounds, { minimumVersion: '2.6' });
    assert.deepEqual(parseCondaSpec("pytorch[version='>=2.6']")?.bounds, { minimumVersion: '2.6' });
    assert.deepEqual(parseCondaSpec('pytorch 2.6.0 cuda*')?.bounds, { minimumVersion: '2.6.0' });
    assert.equal(parseCondaSpec('numpy')?.specifier, '');
  });
});

describe('manifest files', () => {
  it('reads requirements files with includes, constraints, options, continuations and comments', () => {
    const root = project({
      'requirements.txt': [
        '# inference server',
        '--index-url https://pypi.example.com/simple',
        '-r requirements/base.txt',
        '-c constraints.txt',
        'transformers[torch]==4.46.0 \\',
        '    --hash=sha256:0123',
        'fastapi>=0.110  # web',
        'vllm~=0.6.3; sys_platform == "linux"',
        '-e git+https://github.com/acme/tokenizers.git@v1#egg=acme-tokenizers',
        'https://download.pytorch.org/whl/cpu/torchvision-0.21.0%2Bcpu-cp311-cp311-linux_x86_64.whl',
      ].join('\n'),
      'requirements/base.txt': 'numpy>=1.26\n-r ../requirements.txt\n',
      'constraints.txt': 'torch==2.6.0\n',
    });
    const deps = readPythonManifest(join(root, 'requirements.txt'));
    assert.deepEqual(deps.map((d) => d.name).sort(), ['acme-tokenizers', 'fastapi', 'numpy', 'torch', 'torchvision', 'transformers', 'vllm']);
    const transformers = only(deps, 'transformers');
    assert.equal(transformers.exactVersion, '4.46.0');
    assert.deepEqual(transformers.extras, ['torch']);
    assert.equal(transformers.line, 5);
    assert.equal(only(deps, 'fastapi').specifier, '>=0.110');
    assert.equal(only(deps, 'vllm').marker, 'sys_platform == "linux"');
    const numpy = only(deps, 'numpy');
    assert.equal(numpy.file, join(root, 'requirements', 'base.txt'));
    assert.equal(numpy.line, 1);
    const torch = only(deps, 'torch');
    assert.equal(torch.constraint, true);
    assert.equal(torch.exactVersion, '2.6.0');
    assert.equal(only(deps, 'torchvision').exactVersion, '0.21.0+cpu');
    assert.equal(only(deps, 'acme-tokenizers').url, 'git+https://github.com/acme/tokenizers.git@v1#egg=acme-tokenizers');
  });

  it('reads PEP 621, dependency groups and Poetry tables in pyproject.toml, with lines', () => {
    const root = project({
      'pyproject.toml': [
        '[project]',
        'name = "rag-service"',
        'dependencies = [',
        '  "torch>=2.6",',
        "  'transformers==4.46.0',",
        ']',
        '',
        '[project.optional-dependencies]',
        'serve = ["vllm>=0.6"]',
        '',
        '[dependency-groups]',
        'dev = ["pytest>=8", { include-group = "lint" }]',
        '',
        '[tool.poetry.dependencies]',
        'python = "^3.11"',
        'accelerate = "^1.0"',
        'peft = { version = "0.13.2", extras = ["quant"] }',
        '',
        '[tool.poetry.group.test.dependencies]',
        'hypothesis = "*"',
      ].join('\n'),
    });
    const deps = readPythonManifest(join(root, 'pyproject.toml'));
    assert.deepEqual(deps.map((d) => d.name), ['torch', 'transformers', 'vllm', 'pytest', 'accelerate', 'peft', 'hypothesis']);
    assert.equal(only(deps, 'torch').line, 4);
    assert.equal(only(deps, 'transformers').line, 5);
    assert.equal(only(deps, 'vllm').group, 'serve');
    assert.equal(only(deps, 'vllm').line, 9);
    assert.equal(only(deps, 'pytest').group, 'dev');
    assert.equal(only(deps, 'accelerate').minimumVersion, '1.0');
    assert.equal(only(deps, 'accelerate').line, 16);
    const peft = only(deps, 'peft');
    assert.equal(peft.exactVersion, '0.13.2');
    assert.deepEqual(peft.extras, ['quant']);
    assert.equal(peft.line, 17);
    assert.equal(only(deps, 'hypothesis').group, 'test');
    assert.equal(only(deps, 'hypothesis').specifier, '');
  });

  it('reads exact versions from poetry.lock, uv.lock and Pipfile.lock, and Pipfile constraints', () => {
    const root = project({
      'poetry.lock': '[[package]]\nname = "torch"\nversion = "2.6.0"\ndescription = ""\n\n[[package]]\nname = "numpy"\nversion = "2.1.3"\n',
      'uv.lock': 'version = 1\n\n[[package]]\nname = "rag-service"\nversion = "0.1.0"\nsource = { editable = "." }\n\n[[package]]\nname = "torch"\nversion = "2.5.1"\nsource = { registry = "https://pypi.org/simple" }\n',
      'Pipfile.lock': JSON.stringify({ _meta: {}, default: { torch: { version: '==2.6.0' } }, develop: { pytest: { version: '==8.3.3' } } }, null, 4),
      Pipfile: '[packages]\ntorch = ">=2.6"\nnumpy = "*"\n\n[dev-packages]\npytest = "*"\n',
    });
    const poetry = readPythonManifest(join(root, 'poetry.lock'));
    assert.equal(only(poetry, 'torch').exactVersion, '2.6.0');
    assert.equal(only(poetry, 'torch').locked, true);
    assert.equal(only(poetry, 'numpy').line, 7);
    const uv = readPythonManifest(join(root, 'uv.lock'));
    assert.equal(only(uv, 'torch').exactVersion, '2.5.1');
    assert.equal(only(uv, 'torch').line, 9);
    assert.equal(only(uv, 'torch').url, undefined);
    assert.equal(only(uv, 'rag-service').url, '.');
    const pipLock = readPythonManifest(join(root, 'Pipfile.lock'));
    assert.equal(only(pipLock, 'torch').exactVersion, '2.6.0');
    assert.equal(only(pipLock, 'pytest').group, 'dev');
    const pipfile = readPythonManifest(join(root, 'Pipfile'));
    assert.equal(only(pipfile, 'torch').minimumVersion, '2.6');
    assert.equal(only(pipfile, 'pytest').group, 'dev');
  });

  it('reads conda environment files with their pip section', () => {
    const root = project({
      'environment.yml': [
        'name: train',
        'channels:',
        '  - pytorch',
        '  - conda-forge',
        'dependencies:',
        '  - python=3.11',
        '  - pytorch::pytorch=2.6.0  # CUDA build',
        '  - "numpy>=1.26"',
        '  - pip',
        '  - pip:',
        '      - transformers==4.46.0',
        '      - -r requirements-extra.txt',
        'variables:',
        '  HF_HOME: /data/hf',
      ].join('\n'),
      'requirements-extra.txt': 'peft>=0.13\n',
    });
    const deps = readPythonManifest(join(root, 'environment.yml'));
    assert.deepEqual(deps.map((d) => d.name), ['python', 'pytorch', 'numpy', 'pip', 'transformers', 'peft']);
    const pytorch = only(deps, 'pytorch');
    assert.equal(pytorch.ecosystem, 'conda');
    assert.equal(pytorch.minimumVersion, '2.6.0');
    assert.equal(pytorch.line, 7);
    const transformers = only(deps, 'transformers');
    assert.equal(transformers.ecosystem, 'pypi');
    assert.equal(transformers.group, 'pip');
    assert.equal(transformers.line, 11);
    assert.equal(only(deps, 'peft').file, join(root, 'requirements-extra.txt'));
    assert.equal(minimumVersionOf(deps, 'torch'), '2.6.0');
  });

  it('skips malformed manifests instead of throwing', () => {
    const root = project({ 'pyproject.toml': '[project\ndependencies = [', 'Pipfile.lock': '{ not json', 'uv.lock': 'package = 3' });
    assert.deepEqual(readPythonManifest(join(root, 'pyproject.toml')), []);
    assert.deepEqual(readPythonManifest(join(root, 'Pipfile.lock')), []);
    assert.deepEqual(readPythonManifest(join(root, 'uv.lock')), []);
    assert.deepEqual(readPythonManifest(join(root, 'missing.txt')), []);
  });
});

describe('findPythonDependencies', () => {
  it('walks up from the file, nearest first, and stops at the repository root', () => {
    const outer = project({ 'requirements.txt': 'torch==1.13.1\n' });
    const repo = join(outer, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(join(repo, 'services', 'api', 'app'), { recursive: true });
    writeFileSync(join(repo, 'pyproject.toml'), '[project]\nname = "x"\ndependencies = ["torch>=2.6", "numpy"]\n');
    writeFileSync(join(repo, 'services', 'api', 'requirements.txt'), 'fastapi==0.115.0\ntorch\n');
    const deps = findPythonDependencies(join(repo, 'services', 'api', 'app'));
    assert.deepEqual(deps.map((d) => `${d.name}@${d.distance}`), ['fastapi@1', 'torch@1', 'torch@3', 'numpy@3']);
    // The unbounded `torch` nearby says nothing about the version; the repository root does.
    assert.equal(minimumVersionOf(deps, 'torch'), '2.6');
    // The folder above the repository is not read.
    assert.ok(!deps.some((d) => d.file.startsWith(join(outer, 'requirements.txt'))));
    // stopAt bounds the walk as well.
    assert.deepEqual(findPythonDependencies(join(repo, 'services', 'api', 'app'), join(repo, 'services', 'api')).map((d) => d.name), ['fastapi', 'torch']);
  });

  it('prefers a lock file, then the lowest bound, among the nearest manifests', () => {
    const locked = project({ '.git/': '', 'uv.lock': '[[package]]\nname = "torch"\nversion = "2.6.0"\n', 'requirements.txt': 'torch>=2.0\n' });
    assert.equal(minimumVersionOf(findPythonDependencies(locked), 'torch'), '2.6.0');
    const split = project({ '.git/': '', 'requirements.txt': 'torch>=2.6\n', 'requirements-legacy.txt': 'torch==2.1.2; python_version < "3.9"\n' });
    const lowest = lowestVersionOf(findPythonDependencies(split), 'torch');
    assert.equal(lowest?.version, '2.1.2');
    assert.equal(lowest?.dependency.file, join(split, 'requirements-legacy.txt'));
    assert.equal(minimumVersionOf(findPythonDependencies(project({ '.git/': '', 'requirements.txt': 'torch\n' })), 'torch'), undefined);
  });

  it('reads requirements/ folders once even when also included', () => {
    const root = project({ '.git/': '', 'requirements.txt': '-r requirements/base.txt\n', 'requirements/base.txt': 'torch==2.6.0\n', 'requirements/dev.txt': 'pytest\n' });
    assert.deepEqual(findPythonDependencies(root).map((d) => d.name), ['torch', 'pytest']);
  });

  it('cache sees edited, added and included manifests', () => {
    const root = project({ '.git/': '', 'requirements.txt': 'torch==2.5.1\n' });
    const app = join(root, 'app');
    mkdirSync(app);
    const cache = new PythonDependencyCache();
    assert.equal(minimumVersionOf(cache.get(app), 'torch'), '2.5.1');
    assert.equal(cache.get(app), cache.get(app), 'unchanged files reuse the entry');
    writeFileSync(join(root, 'requirements.txt'), 'torch==2.6.0\n-r extra.txt\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, 'requirements.txt'), later, later);
    assert.equal(minimumVersionOf(cache.get(app), 'torch'), '2.6.0');
    writeFileSync(join(root, 'extra.txt'), 'numpy==2.1.3\n');
    assert.ok(cache.get(app).some((d) => d.name === 'numpy'), 'a file named by -r that appears later is read');
    writeFileSync(join(app, 'pyproject.toml'), '[project]\nname = "app"\ndependencies = ["torch==2.4.0"]\n');
    utimesSync(app, later, later);
    assert.equal(minimumVersionOf(cache.get(app), 'torch'), '2.4.0');
  });
});

describe('documentFolder', () => {
  it('accepts absolute paths and file URIs, nothing else', () => {
    assert.equal(documentFolder('/srv/app/train.py'), '/srv/app');
    assert.equal(documentFolder(pathToFileURL('/srv/my app/train.py').href), '/srv/my app');
    assert.equal(documentFolder('untitled:Untitled-1'), undefined);
    assert.equal(documentFolder('vscode-notebook-cell:/srv/app/nb.ipynb#W1'), undefined);
    assert.equal(documentFolder('train.py'), undefined);
  });
});
