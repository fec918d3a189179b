// The rule catalogue's contract: every rule is registered, documented, fixture-tested, and its
// metadata tells the truth about its behaviour (fix kind, group, ids).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Classifier } from '../../server/src/classifier/index';
import { completeClassification } from '../../server/src/engine/classify';
import type { Engine } from '../../server/src/engine/engine';
import { RULES } from '../../server/src/rules/index';
import { RULE_QUERIES } from '../../server/src/rules/queries.generated';
import { ruleQuery } from '../../server/src/engine/analyzer';
import { extensionForFence, parseDoc, REQUIRED_HEADINGS } from '../harness/docs';
import { ALL_RULES, EXTRA_RULE_PATHS, sharedEngine } from '../harness/engine';
import { README, withRulesTable } from '../../scripts/rules-table';
import { applyAllFixes, applyEdits, checkFixture, configForOnly, countParseErrors, fixedFileFor, fixtureFiles } from '../harness/fixtures';

const RULES_DIR = join(__dirname, '..', '..', 'server', 'src', 'rules');
const GROUPS = readdirSync(RULES_DIR).filter((d) => statSync(join(RULES_DIR, d)).isDirectory());
const MIN_FLAGGED = 5;
const MIN_LOOKALIKES = 5;

// Top-level await is not available in CommonJS test files; node:test runs describe bodies
// synchronously, so the rule list is resolved before describing.
const engineReady = sharedEngine();
let engine: Engine;
// The classifier rule's fixtures are scored by the shipped model (loaded only if a fixture needs it).
const classifier = new Classifier({ device: 'cpu' });
before(async () => {
  engine = await engineReady;
});
after(async () => {
  await classifier.dispose();
});

describe('rule registry', () => {
  it('registers every rule file, sorted by id, without duplicates', { skip: EXTRA_RULE_PATHS.length > 0 && 'unregistered rules under development' }, () => {
    const files = GROUPS.flatMap((g) => readdirSync(join(RULES_DIR, g)).filter((f) => f.endsWith('.ts')).map((f) => basename(f, '.ts')));
    const ids = RULES.map((r) => r.meta.id);
    assert.deepEqual([...ids].sort(), [...files].sort(), 'rules/index.ts must list exactly the rule files');
    assert.deepEqual(ids, [...ids].sort(), 'registry must be sorted by id');
    assert.equal(new Set(ids).size, ids.length);
  });

  it('README rule table is generated from the registry (npm run docs)', { skip: EXTRA_RULE_PATHS.length > 0 && 'unregistered rules under development' }, () => {
    const readme = readFileSync(README, 'utf8');
    assert.equal(readme, withRulesTable(readme), 'README.md is out of date: run npm run docs');
  });

  for (const rule of ALL_RULES) {
    const { meta } = rule;
    describe(meta.id, () => {
      it('has truthful, complete metadata', () => {
        assert.match(meta.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
        assert.ok(existsSync(join(RULES_DIR, meta.group, `${meta.id}.ts`)), `group '${meta.group}' must be the rule's folder`);
        assert.ok(meta.title.length > 10 && !meta.title.endsWith('.'));
        assert.ok(meta.cwe.length > 0 && meta.cwe.every((n) => Number.isInteger(n) && n > 0));
        assert.ok(meta.owasp.length > 0 && meta.owasp.every((o) => /^LLM(0[1-9]|10)$/.test(o)));
        assert.ok(meta.references.length > 0 && meta.references.every((r) => /^https:\/\//.test(r)));
        if (rule.check && !rule.checkFile) {
          for (const language of rule.languages) assert.equal(typeof ruleQuery(RULE_QUERIES, meta.id, language), 'string', `has a .scm query for ${language} beside it`);
        }
        // A rule that runs on source has a check and a message; one reported by another analyzer has neither.
        assert.equal((typeof rule.check === 'function' || typeof rule.checkFile === 'function') && typeof rule.message === 'function', rule.languages.length > 0);
        assert.equal(meta.fix === 'none', !rule.fixes, "fix: 'none' exactly when the rule has no fixes()");
      });

      it('has a doc with the fixed headings whose examples behave as they say', async () => {
        const docPath = join(RULES_DIR, meta.group, `${meta.id}.md`);
        assert.ok(existsSync(docPath), `${docPath} is missing`);
        const doc = parseDoc(readFileSync(docPath, 'utf8'));
        assert.equal(doc.title, meta.id, 'doc title is the rule id');
        assert.deepEqual(doc.headings, REQUIRED_HEADINGS);
        // Rules reported by the model-file scanner are tested on generated model files instead.
        if (rule.languages.length === 0) return;
        const config = configForOnly(rule, engine.rules);
        const flagged = doc.examples.filter((e) => e.heading === 'Example');
        const clean = doc.examples.filter((e) => e.heading === 'Use instead');
        assert.ok(flagged.length > 0 && clean.length > 0, 'Example and Use instead each need a code block');
        for (const ex of [...flagged, ...clean]) {
          const ext = extensionForFence(ex.language);
          assert.ok(ext || ex.file, `unknown fence language ${ex.language}: name the file after it (\`\`\`${ex.language} path/to/file)`);
          const { findings } = await completeClassification(engine.analyzeText(ex.file ?? `doc-example${ext}`, ex.code, config), classifier);
          if (ex.heading === 'Example') assert.ok(findings.length > 0, `doc Example must be flagged:\n${ex.code}`);
          else assert.equal(findings.length, 0, `doc 'Use instead' must be clean:\n${ex.code}`);
        }
      });

      const files = rule.languages.length > 0 ? fixtureFiles(meta.id) : [];
      if (rule.languages.length > 0) it(`has fixtures with ≥${MIN_FLAGGED} flagged cases and ≥${MIN_LOOKALIKES} look-alikes`, () => {
        assert.ok(files.length > 0, `test/fixtures/${meta.id}/ is missing`);
        let flagged = 0;
        let ok = 0;
        for (const f of files) {
          const text = readFileSync(f, 'utf8');
          flagged += (text.match(new RegExp(`(ruleid):\\s*[\\w, -]*\\b${meta.id}\\b`, 'g')) ?? []).length;
          ok += (text.match(new RegExp(`(?<![a-z])ok:\\s*[\\w, -]*\\b${meta.id}\\b`, 'g')) ?? []).length;
        }
        assert.ok(flagged >= MIN_FLAGGED, `only ${flagged} flagged cases`);
        assert.ok(ok >= MIN_LOOKALIKES, `only ${ok} look-alikes`);
      });

      for (const file of files) {
        it(`fixture ${basename(file)}`, async () => {
          const result = await checkFixture(engine, rule, file, classifier);
          assert.deepEqual(result.problems, []);
          for (const f of result.findings) {
            if (meta.fix === 'none') assert.equal(f.fixes.length, 0);
            if (meta.fix === 'unsafe') assert.ok(f.fixes.every((x) => x.applicability === 'unsafe'), "fix: 'unsafe' rules return no safe fixes");
            for (const fix of f.fixes) assert.ok(fix.edits.length > 0 && fix.title.length > 0);
          }
          // Every quick fix on its own (not only the first ones, applied together below) re-parses without new errors.
          const source = readFileSync(file, 'utf8');
          const errorsBefore = countParseErrors(engine, file, source);
          for (const f of result.findings) {
            for (const fix of f.fixes) assert.ok(countParseErrors(engine, file, applyEdits(source, fix.edits)) <= errorsBefore, `fix "${fix.title}" at ${f.range.start} adds parse errors`);
          }
          const fixedFile = fixedFileFor(file);
          const anyFix = result.findings.some((f) => f.fixes.length > 0);
          if (!anyFix) {
            assert.ok(!existsSync(fixedFile), `${fixedFile} exists but no finding has a fix`);
            return;
          }
          assert.ok(existsSync(fixedFile), `findings have fixes: ${fixedFile} must show the fixed text`);
          const original = readFileSync(file, 'utf8');
          const fixed = applyAllFixes(engine, rule, file, original);
          assert.ok(fixed.converged, 'fixes must converge');
          assert.equal(fixed.text, readFileSync(fixedFile, 'utf8'));
          assert.ok(countParseErrors(engine, file, fixed.text) <= countParseErrors(engine, file, original), 'fixes must not add parse errors');
        });
      }

      if (meta.fix !== 'none') {
        it(`metadata fix '${meta.fix}' matches the fixes it offers`, async () => {
          const results = await Promise.all(files.map((f) => checkFixture(engine, rule, f, classifier)));
          const all = results.flatMap((r) => r.findings.flatMap((x) => x.fixes));
          assert.ok(all.length > 0, 'a fixable rule must offer a fix on some fixture');
          if (meta.fix === 'safe') assert.ok(all.some((x) => x.applicability === 'safe'), "fix: 'safe' rules offer a safe fix somewhere");
        });
      }
    });
  }
});
