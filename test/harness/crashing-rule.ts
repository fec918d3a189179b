// A whole-file rule that throws on every Python file, for crash-isolation tests
// (loaded through AIRLOCK_EXTRA_RULES; never registered).
import { defineRule } from '../../server/src/engine/rule';
import { RULES } from '../../server/src/rules/index';

export default defineRule({
  meta: { ...RULES[0].meta, id: 'crashing-rule', title: 'A rule that always throws, for tests' },
  languages: ['python'],
  checkFile() {
    throw new Error('crashing-rule crashed on purpose');
  },
  message: () => 'never',
});
