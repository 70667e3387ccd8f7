// npm run test:full: the rule sweep on all 20 re-entrant bel instances (600-970 jobs), about
// 100 s of CPU; a file of its own so that it runs beside rules.full.test.ts where cores allow.
import { family, ruleSweep } from './rule-sweep.js';

ruleSweep('dispatching rules on the re-entrant bel instances', family('bel'));
