import { describe, expect, it } from 'vitest';
import { computeGae, explainedVariance } from '../../src/agents/gae.js';

describe('GAE', () => {
  it('matches a hand computation and does not bootstrap across an ended episode', () => {
    // One copy, three steps; the episode ends at step 1, so step 1 does not see V(s2).
    const rewards = Float32Array.of(1, 2, 3);
    const values = Float32Array.of(0.5, 1, 2);
    const ended = Uint8Array.of(0, 1, 0);
    const last = Float32Array.of(4);
    const gamma = 0.9;
    const lambda = 0.8;
    const { advantages, returns } = computeGae(rewards, values, ended, last, 3, 1, gamma, lambda);
    const d2 = 3 + gamma * 4 - 2;
    const d1 = 2 - 1;
    const d0 = 1 + gamma * 1 - 0.5;
    const a2 = d2;
    const a1 = d1; // no bootstrap, no carry
    const a0 = d0 + gamma * lambda * a1;
    expect(Array.from(advantages)).toEqual([a0, a1, a2].map(Math.fround));
    expect(Array.from(returns)).toEqual([a0 + 0.5, a1 + 1, a2 + 2].map(Math.fround));
  });

  it('keeps copies apart in the time-major layout', () => {
    const T = 2;
    const E = 2;
    const rewards = Float32Array.of(1, 10, 1, 10); // [t0e0, t0e1, t1e0, t1e1]
    const { advantages } = computeGae(
      rewards,
      new Float32Array(4),
      new Uint8Array(4),
      new Float32Array(2),
      T,
      E,
      1,
      1,
    );
    expect(Array.from(advantages)).toEqual([2, 20, 1, 10]);
  });

  it('explains all variance of a perfect prediction and none of a constant one', () => {
    const y = Float32Array.of(1, 2, 3, 4);
    expect(explainedVariance(y, y)).toBe(1);
    expect(explainedVariance(Float32Array.of(2.5, 2.5, 2.5, 2.5), y)).toBeCloseTo(0, 9);
  });
});
