/**
 * The learner a training run drives: the network, its optimizer, how it acts in the rollout and
 * how it updates. Two implementations of the same network and PPO (docs/agents.md):
 * - `js` (the default): schedrl's own forward and backward passes on float32 arrays, on the legal
 *   candidates only (src/agents/js-scorer.ts, src/agents/js-ppo.ts); no TensorFlow.js.
 * - a TensorFlow.js backend (`wasm`, `cpu`, `webgpu`, `tensorflow`): the tfjs network with
 *   autograd (src/agents/network.ts, src/agents/ppo.ts); `webgpu` can read a WebGPU
 *   environment's buffers in place.
 */

import { Adam, type AdamState } from '../agents/adam.js';
import { JsAdam, updateJs } from '../agents/js-ppo.js';
import { JsScorer, jsPolicyOutputs } from '../agents/js-scorer.js';
import { ScoringPool } from '../agents/scoring-pool.js';
import { SIMD } from '../agents/simd.js';
import { CandidateScorer, type Architecture } from '../agents/network.js';
import { evaluateObservation } from '../agents/policy.js';
import { update, type UpdateBatch, type UpdateConfig, type UpdateMetrics } from '../agents/ppo.js';
import { useTfBackend, type LearnerBackend } from '../agents/tfjs.js';
import type { Rng } from '../core/rng.js';
import type { Observation, VecEnv } from '../core/vecenv.js';
import type { GpuContext } from '../gpu/device.js';
import type { DeviceVecEnv } from '../gpu/device-env.js';
import { DeviceActor, HostActor, JsHostActor, type Actor } from './actors.js';

export interface Learner {
  /** What computes, for the run's log: 'js learner (...)' or 'tfjs <backend>'. */
  readonly description: string;
  /** The rollout's actor on `env`. */
  actor(env: VecEnv | DeviceVecEnv, numSteps: number): Actor;
  /** Log-probabilities [E, K] and values [E] of an observation (greedy validation). */
  evaluate(
    obs: Observation,
    numEnvs: number,
  ): Promise<{ logp: Float32Array; values: Float32Array }>;
  update(
    batch: UpdateBatch,
    c: UpdateConfig,
    learningRate: number,
    rng: Rng,
  ): Promise<UpdateMetrics>;
  weights(): Promise<Map<string, Float32Array>>;
  optimizerState(): Promise<AdamState>;
  /** Tensors the learner holds beyond its start (tfjs; 0 for the JavaScript learner). */
  liveTensors(): number;
  dispose(): void;
}

export async function createLearner(
  backend: LearnerBackend,
  architecture: Architecture,
  weights: ReadonlyMap<string, Float32Array>,
  optimizer: AdamState | null,
  gpu: GpuContext | undefined,
): Promise<Learner> {
  if (backend === 'js') {
    const net = new JsScorer(architecture, weights);
    // Every core takes a share of each minibatch's rows (the same numbers as on one).
    const pool = SIMD === null ? null : new ScoringPool();
    net.useThreads(pool);
    const adam = new JsAdam(net.params);
    if (optimizer !== null) adam.load(optimizer);
    return {
      description: `js learner (${SIMD === null ? 'plain JavaScript' : 'WebAssembly SIMD'})`,
      actor: (env, numSteps) => {
        if ('writeActions' in env)
          throw new Error('train: an environment on WebGPU needs the webgpu tfjs backend');
        return new JsHostActor(net, env, numSteps);
      },
      evaluate: (obs, numEnvs) => Promise.resolve(jsPolicyOutputs(net, obs, numEnvs)),
      update: (batch, c, lr, rng) => updateJs(net, adam, batch, c, lr, rng),
      weights: () => Promise.resolve(new Map([...net.params].map(([k, v]) => [k, v.slice()]))),
      optimizerState: () => Promise.resolve(adam.state()),
      liveTensors: () => 0,
      dispose: () => pool?.dispose(),
    };
  }
  const tf = await useTfBackend(backend, gpu);
  const net = new CandidateScorer(tf, architecture, weights);
  const adam = new Adam(tf, net.params);
  if (optimizer !== null) adam.load(optimizer);
  const tensorsAtStart = tf.memory().numTensors;
  return {
    description: `tfjs ${tf.getBackend()}`,
    actor: (env, numSteps) =>
      'writeActions' in env ? new DeviceActor(tf, net, env) : new HostActor(tf, net, env, numSteps),
    evaluate: (obs, numEnvs) => evaluateObservation(tf, net, obs, numEnvs),
    update: (batch, c, lr, rng) => update(tf, net, adam, batch, c, lr, rng),
    weights: () => net.values(),
    optimizerState: () => adam.state(),
    liveTensors: () => tf.memory().numTensors - tensorsAtStart,
    dispose: () => {
      net.dispose();
      adam.dispose();
    },
  };
}
