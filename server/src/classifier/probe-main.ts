// Entry of dist/classifier-probe.js (see probe.ts).
import { runProbe } from './probe';
import type { Device } from './runtime';

void runProbe(process.argv[2] as Device, process.argv[3]).then((code) => process.exit(code));
