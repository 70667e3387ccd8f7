// npm run test:full: the rule sweep on every bundled instance outside the bel family (162).
import { bundledNames } from '../../../envs/jobshop/instances.js';
import { bounds, ruleSweep } from './rule-sweep.js';

ruleSweep(
  'dispatching rules on every bundled benchmark instance',
  bundledNames().filter((n) => bounds[n].family !== 'bel'),
);
