// The AI bill of materials: valid CycloneDX 1.6 (checked against the official schema), with the
// models, datasets, AI packages, LLM providers and MCP servers the example project really has,
// findings attached where they point, stable bom-refs, and no secrets.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { generateBom } from '../../server/src/engine/bom/index';
import { purl } from '../../server/src/engine/bom/cyclonedx';
import { sharedEngine } from '../harness/engine';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'rag-assistant');
const SCHEMAS = join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
const FIXED = { tool: { name: 'airlock', version: '0.0.0-test' }, serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', timestamp: '2026-01-01T00:00:00Z' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The official CycloneDX 1.6 schema with the SPDX and JSF schemas it references, all offline. */
function cycloneDxValidator(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  // Formats ajv-formats does not define: an IRI reference may hold any non-space characters; an
  // internationalized e-mail address is local@domain.
  ajv.addFormat('iri-reference', /^[^\s\u0000-\u001f]*$/u);
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
  for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
    const schema = JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8'));
    // The 1.6 schema refers to them by these names (relative to its own $id).
    ajv.addSchema({ ...schema, $id: `http://cyclonedx.org/schema/${name}` });
  }
  return ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, 'bom-1.6.SNAPSHOT.schema.json'), 'utf8')));
}

const byRef = (bom: Json, ref: string) => [...bom.components, ...bom.services].find((c: Json) => c['bom-ref'] === ref);
const props = (entry: Json, name: string): string[] => (entry?.properties ?? []).filter((p: Json) => p.name === name).map((p: Json) => p.value);

describe('AI bill of materials (CycloneDX 1.6)', () => {
  let bom: Json;
  let validate: ValidateFunction;
  before(async () => {
    const engine = await sharedEngine();
    bom = (await generateBom(engine, [EXAMPLE], FIXED)).bom;
    validate = cycloneDxValidator();
  });

  it('validates against the official CycloneDX 1.6 JSON schema', () => {
    const valid = validate(structuredClone(bom));
    assert.ok(valid, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    assert.equal(bom.specVersion, '1.6');
    assert.equal(bom.bomFormat, 'CycloneDX');
    // The validator is not vacuous: a component without a type, a bad serial number and a bad hash fail.
    const broken = structuredClone(bom);
    delete broken.components[0].type;
    assert.equal(validate(broken), false);
    assert.equal(validate({ ...structuredClone(bom), serialNumber: 'not-a-uuid' }), false);
    const badHash = structuredClone(bom);
    badHash.components.find((c: Json) => c.hashes).hashes[0].content = 'xyz';
    assert.equal(validate(badHash), false);
  });

  it('names Airlock as the tool, the project as the subject, and summarizes the findings', () => {
    assert.deepEqual(bom.metadata.tools.components.map((t: Json) => [t.name, t.version]), [['airlock', '0.0.0-test']]);
    assert.equal(bom.metadata.component.name, 'rag-assistant');
    const summary = Object.fromEntries(bom.metadata.properties.map((p: Json) => [p.name, p.value]));
    assert.ok(Number(summary['airlock:findings']) > 50, summary['airlock:findings']);
    assert.equal(Number(summary['airlock:findings']), Number(summary['airlock:findings:error']) + Number(summary['airlock:findings:warning']) + Number(summary['airlock:findings:info']));
    assert.ok(Number(summary['airlock:findings:attached']) > 10);
    assert.equal(summary['airlock:findings:rule:remote-code-unpinned'], '1');
  });

  it('lists the Hub models with their revision, trust_remote_code and the findings on them', () => {
    const reranker = byRef(bom, 'hf:model:acme-ai/rag-reranker@main');
    assert.equal(reranker.type, 'machine-learning-model');
    assert.deepEqual([reranker.group, reranker.name, reranker.version], ['acme-ai', 'rag-reranker', 'main']);
    assert.equal(reranker.purl, undefined, 'a branch is no purl version');
    assert.deepEqual(props(reranker, 'airlock:hub:revision-pinned'), ['false']);
    assert.deepEqual(props(reranker, 'airlock:trust-remote-code'), ['true']);
    assert.deepEqual(props(reranker, 'airlock:loader'), ['transformers.AutoModelForSequenceClassification.from_pretrained']);
    assert.deepEqual(reranker.evidence.occurrences, [{ location: 'backend/models.py', line: 9 }]);
    const findings = props(reranker, 'airlock:finding');
    assert.ok(findings.some((f) => /^remote-code-unpinned \(error\) at backend\/models\.py:9:\d+$/.test(f)), findings.join('\n'));
    assert.ok(findings.some((f) => f.startsWith('trust-remote-code ')));
    assert.ok(!findings.some((f) => f.startsWith('pickle-deserialization')), 'findings elsewhere are not attached');
    const embeddings = byRef(bom, 'hf:model:sentence-transformers/all-MiniLM-L6-v2');
    assert.deepEqual(props(embeddings, 'airlock:loader'), ['langchain_community.embeddings.HuggingFaceEmbeddings']);
    assert.deepEqual(embeddings.externalReferences, [{ type: 'distribution', url: 'https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2' }]);
  });

  it('lists datasets, pinned to their commit', () => {
    const sha = '3f1c2a9be07d45e8a16b2c0d9e4f7a8b5c6d1e20';
    const tickets = byRef(bom, `hf:dataset:acme-ai/support-tickets@${sha}`);
    assert.equal(tickets.type, 'data');
    assert.equal(tickets.version, sha);
    assert.deepEqual(props(tickets, 'airlock:hub:revision-pinned'), ['true']);
    assert.deepEqual(props(tickets, 'airlock:finding'), [], 'a pinned dataset has nothing against it');
    assert.equal(tickets.externalReferences[0].url, 'https://huggingface.co/datasets/acme-ai/support-tickets');
  });

  it('lists the model files in the workspace with their SHA-256 and format', () => {
    for (const [file, format] of [['models/reranker.pt', 'pytorch-zip'], ['models/intent.keras', 'keras'], ['models/chunk_embeddings.npy', 'numpy']]) {
      const c = byRef(bom, `file:${file}`);
      assert.ok(c, file);
      assert.equal(c.type, 'machine-learning-model');
      assert.deepEqual(c.hashes, [{ alg: 'SHA-256', content: createHash('sha256').update(readFileSync(join(EXAMPLE, file))).digest('hex') }]);
      assert.deepEqual(props(c, 'airlock:model:format'), [format], file);
      assert.ok(props(c, 'airlock:finding').length > 0, `${file} has its model-file findings attached`);
    }
  });

  it('lists AI packages from the manifests with purls, and only AI packages', () => {
    const libraries = bom.components.filter((c: Json) => c.type === 'library').map((c: Json) => c.purl);
    for (const p of ['pkg:pypi/openai@1.51.2', 'pkg:pypi/anthropic@0.36.0', 'pkg:pypi/transformers@4.45.2', 'pkg:pypi/torch@2.4.1', 'pkg:pypi/langchain-huggingface@0.1.0', 'pkg:npm/openai@4.67.3']) {
      assert.ok(libraries.includes(p), `${p} in ${libraries.join(', ')}`);
    }
    for (const other of ['fastapi', 'pyyaml', 'pandas', 'js-yaml', 'next', 'node-serialize']) assert.ok(!libraries.some((p: string) => p.includes(`/${other}@`)), other);
    const openai = byRef(bom, 'pkg:npm/openai@4.67.3');
    assert.deepEqual(openai.evidence.occurrences, [{ location: 'frontend/package.json', line: 8 }]);
  });

  it('lists the LLM providers the code calls, with the model names', () => {
    const openai = byRef(bom, 'llm:openai');
    assert.deepEqual(openai.provider, { name: 'OpenAI', url: ['https://openai.com'] });
    assert.deepEqual(openai.endpoints, ['https://api.openai.com/v1']);
    assert.deepEqual(props(openai, 'airlock:llm:model'), ['gpt-4o-mini']);
    assert.ok(props(openai, 'airlock:occurrence').includes('frontend/src/widget.ts:9'), props(openai, 'airlock:occurrence').join(', '));
    assert.deepEqual(props(byRef(bom, 'llm:anthropic'), 'airlock:llm:model'), ['claude-3-5-haiku-latest']);
    assert.deepEqual(props(byRef(bom, 'llm:huggingface'), 'airlock:llm:model'), ['acme-ai/expert']);
  });

  it('lists the MCP servers with command, package and pin status, and no secrets', () => {
    const fetch = byRef(bom, 'mcp:.cursor/mcp.json#fetch');
    assert.equal(fetch.type, 'application');
    assert.equal(fetch.purl, 'pkg:pypi/mcp-server-fetch');
    assert.deepEqual(props(fetch, 'airlock:mcp:pin'), ['unpinned (no version)']);
    assert.deepEqual(props(fetch, 'airlock:mcp:command'), ['uvx mcp-server-fetch']);
    assert.ok(props(fetch, 'airlock:finding').some((f) => f.startsWith('mcp-unpinned-package (warning) at .cursor/mcp.json:')));
    const slack = byRef(bom, 'mcp:.cursor/mcp.json#slack');
    assert.equal(slack.purl, 'pkg:npm/%40modelcontextprotocol/server-slack@2025.4.25');
    assert.equal(slack.version, '2025.4.25');
    assert.deepEqual(props(slack, 'airlock:mcp:pin'), ['exact version']);
    assert.deepEqual(props(slack, 'airlock:mcp:env'), ['SLACK_BOT_TOKEN,SLACK_TEAM_ID']);
    const remote = byRef(bom, 'mcp:.cursor/mcp.json#docs-search');
    assert.ok(bom.services.includes(remote), 'a remote server is a service');
    assert.deepEqual(remote.endpoints, ['http://mcp.acme-internal.example:8080/sse']);
    assert.equal(remote['x-trust-boundary'], true);
    assert.ok(!JSON.stringify(bom).includes('xoxb-'), 'the Slack token in the config never reaches the BOM');
  });

  it('is deterministic: same input, same BOM; bom-refs are unique and every dependency names one', async () => {
    const again = (await generateBom(await sharedEngine(), [EXAMPLE], FIXED)).bom;
    assert.deepEqual(again, bom);
    const refs = [...bom.components, ...bom.services].map((c: Json) => c['bom-ref']);
    assert.equal(new Set(refs).size, refs.length);
    assert.deepEqual([...bom.dependencies[0].dependsOn].sort(), [...refs].sort());
  });
});

describe('AI bill of materials: JavaScript, TOML configs and secrets in commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-bom-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads transformers.js, the Vercel AI SDK, Codex TOML configs and package-lock versions; masks credentials in commands and URLs', async () => {
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    write('src/chat.ts', "import { generateText } from 'ai';\nimport { anthropic } from '@ai-sdk/anthropic';\nimport { pipeline } from '@huggingface/transformers';\n\nexport const classify = await pipeline('sentiment-analysis', 'Xenova/distilbert-base-uncased-finetuned-sst-2-english', { revision: 'main' });\nexport const reply = await generateText({ model: anthropic('claude-sonnet-4-5'), prompt: 'hi', maxOutputTokens: 100 });\n");
    write('package.json', JSON.stringify({ name: 'app', dependencies: { ai: '^5.0.0', '@ai-sdk/anthropic': '^2.0.0', '@huggingface/transformers': '3.7.0', express: '4.21.0' } }, null, 2));
    write('package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/ai': { version: '5.0.8' }, 'node_modules/@ai-sdk/anthropic': { version: '2.0.1' } } }));
    write('.codex/config.toml', '[mcp_servers.github]\ncommand = "docker"\nargs = ["run", "-i", "--rm", "ghcr.io/github/github-mcp-server@sha256:' + 'a'.repeat(64) + '"]\n');
    write('.vscode/mcp.json', JSON.stringify({ servers: { notes: { command: 'npx', args: ['-y', 'notes-mcp@1.2.3', '--token', 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'] }, search: { url: 'https://search.example/mcp?api_key=sk_live_abcdefghijklmnopqrstuvwx' } } }, null, 2));
    const bom: Json = (await generateBom(await sharedEngine(), [dir], FIXED)).bom;
    assert.ok(cycloneDxValidator()(structuredClone(bom)));
    const text = JSON.stringify(bom);
    assert.ok(!text.includes('A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'), 'the token in the args is masked');
    assert.ok(!text.includes('abcdefghijklmnopqrstuvwx'), 'the key in the URL is masked');
    const notes = byRef(bom, 'mcp:.vscode/mcp.json#notes');
    assert.match(props(notes, 'airlock:mcp:command')[0], /^npx -y notes-mcp@1\.2\.3 --token ghp_•+$/);
    assert.equal(notes.purl, 'pkg:npm/notes-mcp@1.2.3');
    const github = byRef(bom, 'mcp:.codex/config.toml#github');
    assert.equal(github.purl, `pkg:docker/ghcr.io/github/github-mcp-server@${encodeURIComponent('sha256:' + 'a'.repeat(64))}`);
    assert.deepEqual(props(github, 'airlock:mcp:pin'), ['image digest']);
    const model = byRef(bom, 'hf:model:Xenova/distilbert-base-uncased-finetuned-sst-2-english@main');
    assert.deepEqual(props(model, 'airlock:loader'), ['@huggingface/transformers.pipeline']);
    assert.deepEqual(props(byRef(bom, 'llm:anthropic'), 'airlock:llm:model'), ['claude-sonnet-4-5']);
    assert.deepEqual(props(byRef(bom, 'llm:anthropic'), 'airlock:llm:via'), ['ai (Vercel AI SDK)']);
    const libraries = bom.components.filter((c: Json) => c.type === 'library').map((c: Json) => c.purl).sort();
    assert.deepEqual(libraries, ['pkg:npm/%40ai-sdk/anthropic@2.0.1', 'pkg:npm/%40huggingface/transformers@3.7.0', 'pkg:npm/ai@5.0.8']);
  });

  it('writes purls as the purl spec spells them', () => {
    assert.equal(purl('pypi', 'Sentence_Transformers', '3.0.1'), 'pkg:pypi/sentence-transformers@3.0.1');
    assert.equal(purl('npm', '@scope/name', '1.0.0'), 'pkg:npm/%40scope/name@1.0.0');
    assert.equal(purl('huggingface', 'org/model', 'abc'), 'pkg:huggingface/org/model@abc');
  });
});
