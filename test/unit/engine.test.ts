// Engine guarantees: a crashing rule is isolated, grammars are verified before they load,
// rule queries are merged per language, and a file that runs out of its time budget says so.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../server/src/engine/config/config';
import { Engine } from '../../server/src/engine/engine';
import { defaultGrammarDir, GrammarIntegrityError, loadLanguages } from '../../server/src/engine/parse/grammars';
import { defineRule } from '../../server/src/engine/rule';
import { RULE_QUERIES } from '../../server/src/rules/queries.generated';
import { ruleQuery, splitPatterns } from '../../server/src/engine/analyzer';
import { Query } from 'web-tree-sitter';
import { RULES } from '../../server/src/rules/index';
import { fixtureFiles } from '../harness/fixtures';
import { listFiles } from '../../server/src/engine/scan';
import { classifyFile } from '../../server/src/engine/files';
import { sharedEngine } from '../harness/engine';

const exploding = defineRule({
  meta: { ...RULES[0].meta, id: 'exploding-rule', title: 'A rule that always throws, for tests' },
  languages: ['python'],
  check() {
    throw new Error('boom');
  },
  message: () => 'never',
});

describe('engine', () => {
  it('isolates a rule that throws: it is reported as a failure and the other rules still report', async () => {
    const engine = await Engine.create({ rules: [...RULES, exploding], queries: { ...RULE_QUERIES, 'exploding-rule': '(call) @call' } });
    const { findings, failures } = engine.analyzeText('crash.py', 'import pickle\npickle.loads(b"")\n', defaultConfig());
    assert.deepEqual(findings.map((f) => f.ruleId), ['pickle-deserialization']);
    assert.equal(failures.length, 1);
    assert.equal(failures[0].ruleId, 'exploding-rule');
    assert.match(failures[0].error, /boom/);
  });

  it('refuses a grammar whose sha256 does not match the manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-grammars-'));
    try {
      cpSync(defaultGrammarDir(), dir, { recursive: true });
      writeFileSync(join(dir, 'tree-sitter-python.wasm'), Buffer.from('not a grammar'));
      await assert.rejects(loadLanguages(dir), (err: Error) => err instanceof GrammarIntegrityError && /tree-sitter-python\.wasm: sha256 .* does not match/.test(err.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the rule whose query does not compile', async () => {
    await assert.rejects(Engine.create({ rules: [exploding], queries: { 'exploding-rule': '(no_such_node) @x' } }), /exploding-rule: query does not compile for python/);
  });

  it('analyzes JavaScript, TypeScript and TSX with the same JS rules', async () => {
    const engine = await Engine.create();
    const code = "import serialize from 'node-serialize';\nexport const s = serialize.unserialize(cookie);\n";
    for (const file of ['a.js', 'a.ts', 'a.tsx', 'a.mjs', 'a.cjs']) {
      const { findings } = engine.analyzeText(file, code, defaultConfig());
      assert.deepEqual(findings.map((f) => f.ruleId), ['js-unsafe-deserialization'], file);
    }
  });

  describe('per-file time budget', () => {
    const budgetFindings = <F extends { ruleId: string }>(findings: F[]) => findings.filter((f) => f.ruleId === 'analysis-time-budget');
    // An unterminated triple-quoted string over 100,000 lines: about a second of parsing here.
    const slowToParse = 'import pickle\npickle.loads(b)\nx = """' + 'abc\n'.repeat(100_000);

    it('stops a slow parse within the budget and reports it, naming what did not run', async () => {
      const engine = await sharedEngine();
      const started = performance.now();
      const { findings } = engine.analyzeText('slow.py', slowToParse, { ...defaultConfig(), timeBudgetMs: 50 });
      const elapsed = performance.now() - started;
      assert.deepEqual(findings.map((f) => f.ruleId), ['analysis-time-budget'], 'nothing else ran');
      assert.match(findings[0].message, /ran out of its 50 ms time budget during parsing; \d+ rules did not run or did not finish \(.*\)\. .*time-budget-ms/);
      assert.ok(elapsed < 50 + 400, `stopped after ${elapsed.toFixed(0)} ms`);
      // The stopped parser was reset: the next file parses from its own start.
      assert.deepEqual(engine.analyzeText('next.py', 'import pickle\npickle.loads(b)\n', defaultConfig()).findings.map((f) => f.ruleId), ['pickle-deserialization']);
    });

    it('stops between rules, keeps the findings made so far, and is quiet when there is time', async () => {
      // A rule that takes 10 ms per call it sees, beside a real one: 100 calls need a second.
      const slow = defineRule({
        meta: { ...RULES[0].meta, id: 'slow-rule', title: 'A rule that takes its time, for tests' },
        languages: ['python'],
        check() {
          const until = performance.now() + 10;
          while (performance.now() < until);
          return undefined;
        },
        message: () => 'never',
      });
      const pickle = RULES.find((r) => r.meta.id === 'pickle-deserialization')!;
      const engine = await Engine.create({ rules: [pickle, slow], queries: { ...RULE_QUERIES, 'slow-rule': '(call) @call' } });
      const text = 'import pickle\n' + 'pickle.loads(b)\n'.repeat(100);
      const started = performance.now();
      const { findings } = engine.analyzeText('many.py', text, { ...defaultConfig(), timeBudgetMs: 200 });
      const elapsed = performance.now() - started;
      const [notice] = budgetFindings(findings);
      assert.ok(notice, 'over budget: a notice, not silence');
      assert.equal(notice.severity, 'info');
      assert.deepEqual(notice.range, { start: 0, end: 0 });
      assert.match(notice.message, /during the syntax-tree rules/);
      const found = findings.filter((f) => f.ruleId === 'pickle-deserialization').length;
      assert.ok(found > 0 && found < 100, `findings before the stop are kept, the rest is not analyzed (${found})`);
      assert.ok(elapsed < 200 + 100, `stopped after ${elapsed.toFixed(0)} ms`);
      assert.deepEqual(budgetFindings(engine.analyzeText('few.py', 'import pickle\npickle.loads(b)\n', defaultConfig()).findings), []);
    });

    it('follows the rule configuration and suppression comments like any rule', async () => {
      const engine = await sharedEngine();
      const tight = { ...defaultConfig(), timeBudgetMs: 20 };
      assert.equal(budgetFindings(engine.analyzeText('a.py', slowToParse, { ...tight, rules: { 'analysis-time-budget': 'warning' } }).findings)[0]?.severity, 'warning');
      assert.deepEqual(engine.analyzeText('a.py', slowToParse, { ...tight, rules: { 'analysis-time-budget': 'off' } }).findings, []);
      assert.deepEqual(engine.analyzeText('a.py', '# airlock: ignore-file[analysis-time-budget] generated\n' + slowToParse, tight).findings, []);
    });
  });

  it('skips files in languages it does not parse', async () => {
    const engine = await Engine.create();
    assert.deepEqual(engine.analyzeText('notes.txt', 'pickle.loads(x)', defaultConfig()).findings, []);
  });

  it('pre-filters (`requires`) change no finding in any fixture or in the example project', async () => {
    // A pre-filter that is too strict would hide findings: compare every rule's findings with
    // and without them over every file the tests know.
    const engine = await Engine.create();
    const files = [...new Set(RULES.flatMap((r) => fixtureFiles(r.meta.id)))];
    const example = join(__dirname, '..', '..', 'examples', 'rag-assistant');
    files.push(...(await listFiles([example])).filter((f) => classifyFile(f)));
    const run = () => files.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return engine.analyzeText(file, text, defaultConfig()).findings.map((f) => `${file}:${f.range.start}:${f.ruleId}`);
    });
    const gated = run();
    const prefilters = RULES.map((r) => r.requires);
    try {
      for (const r of RULES) (r as { requires?: unknown }).requires = undefined;
      assert.deepEqual(gated, run());
    } finally {
      RULES.forEach((r, i) => ((r as { requires?: unknown }).requires = prefilters[i]));
    }
    assert.ok(RULES.filter((r) => r.requires).length >= 30, 'the expensive rules have pre-filters');
  });

  it('splits every rule query into the patterns tree-sitter compiles from it (comments aside)', async () => {
    const languages = await loadLanguages(defaultGrammarDir());
    let checked = 0;
    for (const language of Object.keys(languages) as (keyof typeof languages)[]) {
      for (const rule of RULES) {
        const source = rule.languages.includes(language) && rule.check ? ruleQuery(RULE_QUERIES, rule.meta.id, language) : undefined;
        if (!source) continue;
        const query = new Query(languages[language], source);
        const bytes = Buffer.from(source, 'utf8');
        const expected = Array.from({ length: query.patternCount() }, (_, i) => bytes.subarray(query.startIndexForPattern(i), query.endIndexForPattern(i)).toString('utf8').replace(/;[^\n]*/g, '').trim());
        query.delete();
        assert.deepEqual(splitPatterns(source, rule.meta.id).map((p) => p.trim()), expected, `${rule.meta.id} (${language})`);
        checked++;
      }
    }
    assert.ok(checked > 100);
  });
});
