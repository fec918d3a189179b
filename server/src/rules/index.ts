// The explicit, sorted registry of rules (no file-system discovery: it breaks under bundling).
// A test checks that every rule file is registered here, documented and has fixtures.
import type { AnyRule } from '../engine/rule';
import pickleDeserialization from './deserialization/pickle-deserialization';

export const RULES: readonly AnyRule[] = [
  pickleDeserialization,
];
