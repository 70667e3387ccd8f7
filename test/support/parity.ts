import { expect } from 'vitest';
import type { StepResult } from '../../src/core/vecenv.js';

/** Float features agree to 1e-5 relative (absolute below 1), DESIGN.md's parity tolerance. */
export function expectClose(cpu: Float32Array, gpuValues: Float32Array, what: string): void {
  expect(gpuValues.length).toBe(cpu.length);
  for (let i = 0; i < cpu.length; i++) {
    const tol = 1e-5 * Math.max(1, Math.abs(cpu[i]));
    if (!(Math.abs(cpu[i] - gpuValues[i]) <= tol)) {
      expect.fail(`${what}[${i}]: cpu ${cpu[i]} vs webgpu ${gpuValues[i]}`);
    }
  }
}

/** Rewards, flags and finished episodes' statistics are identical. */
export function expectSameStep(c: StepResult, g: StepResult, t: number): void {
  expect(Array.from(g.reward), `reward at step ${t}`).toEqual(Array.from(c.reward));
  expect(Array.from(g.terminated), `terminated at step ${t}`).toEqual(Array.from(c.terminated));
  for (let e = 0; e < c.terminated.length; e++) {
    if (c.terminated[e] === 0) continue;
    expect([g.episodes.return[e], g.episodes.length[e], g.episodes.metric[e]]).toEqual([
      c.episodes.return[e],
      c.episodes.length[e],
      c.episodes.metric[e],
    ]);
  }
}

type Field = Int32Array | Uint32Array | Float32Array;

/** Every state field (a typed array) is identical, element by element. */
export function expectSameState<S extends object>(cpu: S, gpu: S, when: string): void {
  const other = gpu as Readonly<Record<string, Field>>;
  for (const [name, a] of Object.entries(cpu) as [string, Field][]) {
    const b = other[name];
    for (let i = 0; i < a.length; i++) {
      if (!Object.is(a[i], b[i]))
        expect.fail(`${when}: state.${name}[${i}] cpu ${a[i]} vs webgpu ${b[i]}`);
    }
  }
}
