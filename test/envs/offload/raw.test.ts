import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { offload } from '../../../envs/offload/entry.js';
import { OffloadEnv, expectedEdge, modelOf } from '../../../envs/offload/env.js';
import {
  FEATURES,
  MODEL_TABLE,
  offloadRawDecision,
  type RawRequest,
} from '../../../envs/offload/features.js';
import { CLOUD_PLACE, DONE, NONE, QUEUE_SLOTS } from '../../../envs/offload/layout.js';
import { modelTable } from '../../../envs/offload/models.js';
import { DEFAULT_SCENARIO, offloadConfig } from '../../../envs/offload/scenario.js';
import { seedStreams } from '../../../src/core/rng.js';
import { randomLegalActions } from '../../../src/core/vecenv.js';
import { exportModule } from '../../../src/export/export.js';
import { randomCheckpoint } from '../../support/checkpoints.js';

/** What a serving gateway would see of copy e: the devices' queues, recent cloud calls. */
function gatewayView(env: OffloadEnv, e: number): RawRequest {
  const { state: s, tables: t, sim: c } = env;
  const d = c.d;
  const N = d.tasks;
  const i = s.next[e];
  const now = s.now[e];
  const deadlineOf = (q: number): number =>
    Math.floor(q / (d.models * d.drones)) * 1000 +
    s.dronePhase[e * d.drones + (Math.floor(q / d.models) % d.drones)] +
    t.deadlineMs[modelOf(d, q)];
  const edges = Array.from({ length: d.edges }, (_, edge) => {
    const ed = e * d.edges + edge;
    const running = s.edgeRunning[ed] !== NONE;
    return {
      busyFor: running ? s.edgeFree[ed] - now : 0,
      queue: Array.from({ length: s.queueLength[ed] }, (_, k) => {
        const q = s.queue[ed * QUEUE_SLOTS + k];
        return {
          model: t.modelId[modelOf(d, q)],
          timeLeft: deadlineOf(q) - now,
          runMs: expectedEdge(t, c, q, edge),
        };
      }),
    };
  });
  const calls: { finish: number; index: number; model: number; ms: number }[] = [];
  for (let q = 0; q < i; q++) {
    const x = e * N + q;
    if (s.taskStatus[x] === DONE && s.taskPlace[x] === CLOUD_PLACE)
      calls.push({
        finish: s.taskFinish[x],
        index: q,
        model: t.modelId[modelOf(d, q)],
        ms: s.taskFinish[x] - s.taskStart[x],
      });
  }
  calls.sort((a, b) => a.finish - b.finish || a.index - b.index);
  return {
    model: t.modelId[modelOf(d, i)],
    timeLeft: deadlineOf(i) - now,
    age: 0,
    ownEdge: s.candidateEdge[e * d.maxCandidates],
    edges,
    cloudLatencies: calls.map(({ model, ms }) => ({ model, ms })),
    neighbours: env.config.neighbours,
    transferMs: env.config.transferMs,
    transferCost: env.config.transferCost,
    tasksToArrive: N - i,
    tasksPerEpisode: N,
  };
}

describe('offload raw requests (what decide() of an exported module takes)', () => {
  it('holds the model table of data/models.json', () => {
    expect(MODEL_TABLE.map((m) => ({ ...m }))).toEqual(
      modelTable().models.map(({ name, edgeMs, cloudMs, benefit, cloudCost, edgeCost }) => ({
        name,
        edgeMs,
        cloudMs,
        benefit,
        cloudCost,
        edgeCost,
      })),
    );
  });

  it("gives the environment's own candidate and state inputs from a gateway's view", () => {
    const env = new OffloadEnv(offloadConfig({ ...DEFAULT_SCENARIO, edges: 5, segments: 3 }, 3));
    env.reset(4);
    const rng = new Uint32Array(3);
    seedStreams(rng, 5);
    const actions = new Int32Array(3);
    const K = env.sim.d.maxCandidates;
    let checked = 0;
    for (let step = 0; step < 200; step++) {
      for (let e = 0; e < 3; e++) {
        const raw = offloadRawDecision(gatewayView(env, e));
        expect(raw.state).toEqual(env.stateInputs(e));
        raw.candidates.forEach((cand, k) => {
          const { timeLeft, benefit } = env.stateInputs(e);
          expect({ timeLeft, benefit, ...cand }, `step ${step}, copy ${e}, candidate ${k}`).toEqual(
            env.candidateInputs(e, k),
          );
        });
        expect(raw.legal).toEqual(Array.from(env.obs.mask.subarray(e * K, (e + 1) * K), Boolean));
        checked++;
      }
      randomLegalActions(env.obs.mask, K, rng, actions);
      env.step(actions);
    }
    expect(checked).toBe(600);
  });

  it('refuses a bad request naming the field', () => {
    const ok: RawRequest = {
      model: 0,
      timeLeft: 650,
      age: 0,
      ownEdge: 0,
      edges: [{ busyFor: 0, queue: [] }],
      cloudLatencies: [],
    };
    expect(() => offloadRawDecision({ ...ok, model: 9 })).toThrow(
      /model must be a model index 0..5/,
    );
    expect(() => offloadRawDecision({ ...ok, ownEdge: 1 })).toThrow(/ownEdge must index edges/);
    expect(() =>
      offloadRawDecision({ ...ok, edges: [{ busyFor: 0, queue: [{ model: 1, timeLeft: NaN }] }] }),
    ).toThrow(/edges\[0\]\.queue\[0\]\.timeLeft must be a finite number/);
  });

  const tmp = mkdtempSync(join(tmpdir(), 'schedrl-offload-export-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('an exported module decides from a raw request as dispatch() does from the features', async () => {
    const checkpoint = randomCheckpoint(
      { name: 'offload', options: offload.parseOptions({}) },
      FEATURES.candidate,
      FEATURES.global,
      7,
      16,
      FEATURES.scales,
    );
    const { js, dts } = exportModule(checkpoint, FEATURES, 'test');
    expect(dts).toMatch(/export declare function decide\(request: \{/);
    writeFileSync(join(tmp, 'dispatch.mjs'), js);
    const mod = (await import(pathToFileURL(join(tmp, 'dispatch.mjs')).href)) as {
      decide(request: RawRequest): number;
      dispatch(cand: ArrayLike<number>, glob: ArrayLike<number>, mask: ArrayLike<number>): number;
    };
    const env = new OffloadEnv(offloadConfig(DEFAULT_SCENARIO, 2));
    env.reset(8);
    const { maxCandidates: K } = env.spec;
    const F = FEATURES.candidate.length;
    const G = FEATURES.global.length;
    const actions = new Int32Array(2);
    for (let step = 0; step < 100; step++) {
      for (let e = 0; e < 2; e++) {
        const chosen = mod.dispatch(
          env.obs.cand.subarray(e * K * F, (e + 1) * K * F),
          env.obs.glob.subarray(e * G, (e + 1) * G),
          env.obs.mask.subarray(e * K, (e + 1) * K),
        );
        expect(mod.decide(gatewayView(env, e)), `step ${step}, copy ${e}`).toBe(chosen);
        actions[e] = chosen;
      }
      env.step(actions);
    }
  });
});
