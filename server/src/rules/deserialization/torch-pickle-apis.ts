import { defineRule, type Detection } from '../../engine/rule';
import { resolveTarget } from '../python-helpers';
import { mentions } from '../prefilters';

// Collectives that unpickle what other ranks send (send_object_list only pickles, so it is left out).
const OBJECT_COLLECTIVES = new Set(['recv_object_list', 'broadcast_object_list', 'scatter_object_list', 'gather_object', 'all_gather_object']);
const DISTRIBUTED_MODULES = new Set(['torch.distributed', 'torch.distributed.distributed_c10d']);
const PACKAGE_IMPORTERS = new Set(['torch.package.PackageImporter', 'torch.package.package_importer.PackageImporter']);

type Kind = 'collective' | 'package';

function kindOf(name: string): Kind | undefined {
  if (PACKAGE_IMPORTERS.has(name)) return 'package';
  const dot = name.lastIndexOf('.');
  return DISTRIBUTED_MODULES.has(name.slice(0, dot)) && OBJECT_COLLECTIVES.has(name.slice(dot + 1)) ? 'collective' : undefined;
}

interface State extends Detection {
  name: string;
  kind: Kind;
}

export default defineRule<State>({
  meta: {
    id: 'torch-pickle-apis',
    group: 'deserialization',
    title: 'PyTorch APIs that unpickle objects from other processes or archives',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [502],
    owasp: ['LLM03'],
    confidence: 'medium',
    references: [
      'https://pytorch.org/docs/stable/distributed.html#collective-functions',
      'https://pytorch.org/docs/stable/package.html',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  requires: mentions('torch'),
  check(match, ctx) {
    const target = resolveTarget(match, ctx, (name) => kindOf(name) !== undefined);
    return target && { node: target.node, name: target.name, kind: kindOf(target.name)! };
  },
  message(s) {
    if (s.kind === 'package') {
      return `\`${s.name}\` opens a torch.package archive, which unpickles its objects and imports the Python code packed inside, so a crafted archive runs arbitrary code. Open only archives you built, or ship weights as safetensors.`;
    }
    return `\`${s.name}\` unpickles the objects it receives from other ranks, so any process that can join the process group (the rendezvous store is unauthenticated) can run code on this one. Exchange tensors with the tensor collectives, or encode objects as JSON bytes.`;
  },
});
