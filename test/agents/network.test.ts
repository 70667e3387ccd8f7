import { describe, expect, it } from 'vitest';
import { orthogonal } from '../../src/agents/init.js';
import {
  CandidateScorer,
  initialParameters,
  MASKED_LOGIT,
  type Architecture,
} from '../../src/agents/network.js';
import { useTfBackend } from '../../src/agents/tfjs.js';
import { Rng } from '../../src/core/rng.js';

const tf = await useTfBackend('cpu');
const arch: Architecture = {
  type: 'candidate-scorer',
  candidateFeatures: 3,
  globalFeatures: 2,
  hidden: 8,
};

describe('candidate-scoring network', () => {
  it('scores legal candidates the same whatever the number and content of masked slots (K-independent)', () => {
    const net = new CandidateScorer(tf, arch, initialParameters(arch, 3));
    const legal = [0.1, 0.5, -0.2, 0.9, 0.3, 0.0, -0.4, 0.2, 0.7];
    const glob = [0.4, -0.1];
    const small = tf.tidy(() =>
      net
        .forward(tf.tensor3d(legal, [1, 3, 3]), tf.tensor2d(glob, [1, 2]), tf.ones([1, 3]))
        .logits.arraySync(),
    );
    // Five slots: the same three candidates in slots 0, 2, 4 and junk in masked slots 1 and 3.
    const padded = [
      ...legal.slice(0, 3),
      9,
      9,
      9,
      ...legal.slice(3, 6),
      -9,
      4,
      4,
      ...legal.slice(6, 9),
    ];
    const big = tf.tidy(() =>
      net
        .forward(
          tf.tensor3d(padded, [1, 5, 3]),
          tf.tensor2d(glob, [1, 2]),
          tf.tensor2d([1, 0, 1, 0, 1], [1, 5]),
        )
        .logits.arraySync(),
    );
    expect(big[0][0]).toBeCloseTo(small[0][0], 5);
    expect(big[0][2]).toBeCloseTo(small[0][1], 5);
    expect(big[0][4]).toBeCloseTo(small[0][2], 5);
    expect([big[0][1], big[0][3]]).toEqual([MASKED_LOGIT, MASKED_LOGIT]);
    net.dispose();
  });

  it('initializes deterministically from the seed with orthonormal columns', () => {
    expect(initialParameters(arch, 5).get('W2')).toEqual(initialParameters(arch, 5).get('W2'));
    expect(initialParameters(arch, 5).get('W2')).not.toEqual(initialParameters(arch, 6).get('W2'));
    const w = orthogonal(new Rng(1), 6, 4, 1); // 4 orthonormal columns of length 6
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        let dot = 0;
        for (let r = 0; r < 6; r++) dot += w[r * 4 + a] * w[r * 4 + b];
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 5);
      }
    }
  });
});
