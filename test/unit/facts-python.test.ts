// Python name resolution: however the code spells an import, rules see the qualified name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node } from 'web-tree-sitter';
import { PythonFacts } from '../../server/src/engine/facts/python';
import { sharedEngine } from '../harness/engine';

async function callsIn(source: string): Promise<{ facts: PythonFacts; calls: Node[] }> {
  const engine = await sharedEngine();
  const tree = engine.parse('python', source);
  const calls = tree.rootNode.descendantsOfType('call').filter((n): n is Node => n !== null);
  return { facts: new PythonFacts(tree), calls };
}

async function resolvedCallees(source: string): Promise<(string | undefined)[]> {
  const { facts, calls } = await callsIn(source);
  return calls.map((c) => facts.resolve(c.childForFieldName('function')));
}

describe('PythonFacts.resolve', () => {
  it('follows import aliases, from-imports and dotted imports', async () => {
    assert.deepEqual(
      await resolvedCallees('import pickle as pk\nfrom torch import load as tl\nimport os.path\nimport tensorflow as tf\npk.load(f)\ntl(p)\nos.path.join(a)\ntf.keras.models.load_model(p)\n'),
      ['pickle.load', 'torch.load', 'os.path.join', 'tensorflow.keras.models.load_model'],
    );
  });

  it('follows local re-binding of modules and functions', async () => {
    assert.deepEqual(await resolvedCallees('import pickle\nloader = pickle.load\nmod = pickle\nloader(f)\nmod.loads(b)\n'), ['pickle.load', 'pickle.loads']);
  });

  it('resolves importlib.import_module and __import__ with literal names', async () => {
    assert.deepEqual(await resolvedCallees('import importlib\nm = importlib.import_module("pickle")\nm.loads(b)\n__import__("marshal").loads(b)\n'), [
      'importlib.import_module',
      'pickle.loads',
      'marshal.loads',
      'builtins.__import__',
    ]);
  });

  it('treats parameters, defs and later re-assignments as shadowing', async () => {
    const names = await resolvedCallees('import pickle\ndef f(pickle):\n    pickle.load(x)\ndef load(p):\n    return p\nload(1)\np2 = pickle\np2 = json_mod\np2.loads(b)\n');
    assert.deepEqual(names, [undefined, undefined, undefined]);
  });

  it('lets the last binding before a use win in the same scope', async () => {
    assert.deepEqual(await resolvedCallees('import json as j\nimport pickle as j\nj.loads(b)\n'), ['pickle.loads']);
  });

  it('sees module imports from inside functions and classes', async () => {
    assert.deepEqual(await resolvedCallees('import yaml\nclass C:\n    def m(self):\n        return yaml.load(s)\n'), ['yaml.load']);
  });

  it('resolves calls to instances: YAML(typ="unsafe").load', async () => {
    assert.deepEqual(await resolvedCallees('from ruamel.yaml import YAML\ny = YAML(typ="unsafe")\ny.load(s)\n'), ['ruamel.yaml.YAML', 'ruamel.yaml.YAML().load']);
  });

  it('resolves with-statement targets to the managed object', async () => {
    assert.deepEqual(await resolvedCallees('import httpx\nwith httpx.Client() as c:\n    c.get(u)\n'), ['httpx.Client', 'httpx.Client().get']);
  });

  it('resolves star imports as a last resort', async () => {
    assert.deepEqual(await resolvedCallees('from pickle import *\nloads(b)\n'), ['pickle.loads']);
  });
});

describe('PythonFacts.callArguments and literal', () => {
  it('reads positional, keyword and **{literal} arguments, following a dict variable', async () => {
    const { facts, calls } = await callsIn('opts = {"weights_only": False}\ntorch.load(p, map_location="cpu", **opts)\ntorch.load(p, **{"weights_only": True})\ntorch.load(p, **unknown)\n');
    const [first, second, third] = calls.map((c) => facts.callArguments(c));
    assert.equal(first.positional.length, 1);
    assert.deepEqual([...first.keywords.keys()], ['map_location', 'weights_only']);
    assert.deepEqual(facts.literal(first.keywords.get('weights_only')!), { value: false });
    assert.deepEqual(facts.literal(second.keywords.get('weights_only')!), { value: true });
    assert.equal(third.unresolvedSplat, true);
  });

  it('evaluates simple literals through variables', async () => {
    const { facts, calls } = await callsIn('SAFE = None\nN = -3\nNAME = "a" "b"\nf(SAFE, N, NAME, 1_000, f"{x}", 2.5)\n');
    const args = facts.callArguments(calls[0]).positional.map((a) => facts.literal(a)?.value);
    assert.deepEqual(args, [null, -3, 'ab', 1000, undefined, 2.5]);
  });
});
