/**
 * Generalized advantage estimation (Schulman et al. 2016) over a rollout of T steps of E copies,
 * stored time-major ([T, E] flat). `ended[t, e]` is 1 when step t ended copy e's episode: the
 * observation after it belongs to a new episode (auto-reset), so nothing is bootstrapped across
 * it. Truncated episodes are treated as ended (no environment here truncates).
 */

export interface Advantages {
  /** [T, E] */
  readonly advantages: Float32Array;
  /** [T, E] advantages + values: the value targets. */
  readonly returns: Float32Array;
}

export function computeGae(
  rewards: Float32Array,
  values: Float32Array,
  ended: Uint8Array,
  lastValues: Float32Array,
  numSteps: number,
  numEnvs: number,
  gamma: number,
  lambda: number,
): Advantages {
  const advantages = new Float32Array(numSteps * numEnvs);
  const returns = new Float32Array(numSteps * numEnvs);
  for (let e = 0; e < numEnvs; e++) {
    let next = 0; // A_{t+1}
    for (let t = numSteps - 1; t >= 0; t--) {
      const i = t * numEnvs + e;
      const nextValue = t === numSteps - 1 ? lastValues[e] : values[i + numEnvs];
      const live = 1 - ended[i];
      const delta = rewards[i] + gamma * nextValue * live - values[i];
      next = delta + gamma * lambda * live * next;
      advantages[i] = next;
      returns[i] = next + values[i];
    }
  }
  return { advantages, returns };
}

/** 1 - Var(y - yhat) / Var(y): how much of the returns' variance the value head explains. */
export function explainedVariance(predicted: Float32Array, actual: Float32Array): number {
  const n = actual.length;
  let mean = 0;
  let meanDiff = 0;
  for (let i = 0; i < n; i++) {
    mean += actual[i];
    meanDiff += actual[i] - predicted[i];
  }
  mean /= n;
  meanDiff /= n;
  let varY = 0;
  let varDiff = 0;
  for (let i = 0; i < n; i++) {
    varY += (actual[i] - mean) ** 2;
    varDiff += (actual[i] - predicted[i] - meanDiff) ** 2;
  }
  return varY === 0 ? NaN : 1 - varDiff / varY;
}
