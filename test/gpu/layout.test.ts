import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../src/core/registry.js';

// V8's own predicate, reachable once natives syntax is on: whether an object's properties are in
// fast mode (hidden class) or a dictionary, which makes every field read of a hot loop slower.
setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (
  o: object,
) => boolean;

describe('state objects built by stateViews', () => {
  for (const entry of ENVIRONMENTS) {
    it(`keep fast properties (${entry.name})`, () => {
      const env = entry.create.cpu(entry.config(entry.parseOptions({}), 2)) as unknown as {
        state: object;
      };
      expect(Object.keys(env.state).length).toBeGreaterThan(10);
      expect(hasFastProperties(env.state)).toBe(true);
    });
  }
});
