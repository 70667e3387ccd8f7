/** What the generic trainer (src/train) needs from the job shop. */

import { choiceOption, parseSize, stringOption } from '../../src/core/options.js';
import type { OptionValues, TrainingAdapter, Validation } from '../../src/core/registry.js';
import type { Observation, VecEnv } from '../../src/core/vecenv.js';
import type { DeviceVecEnv } from '../../src/gpu/device-env.js';
import { JobShopGpuEnv } from './gpu.js';
import { JobShopEnv, jobShopConfig } from './env.js';
import { playEpisodes } from './evaluate.js';
import { FEATURES, TIME_SCALE } from './features.js';
import { randomInstance, randomSource } from './generator.js';
import { RULE_NAMES, rulePolicy } from './rules.js';
import { SCHEDULE_MODES, type Instance, type ScheduleMode } from './types.js';

/** Validation instances come from their own seed, never from the training streams. */
const VALIDATION_SEED = 20_260_101;

interface Options {
  readonly size: string;
  readonly mode: ScheduleMode;
}

function read(
  options: Readonly<Record<string, unknown>>,
): Options & { jobs: number; machines: number } {
  const size = String(options.size ?? '6x6');
  const { jobs, machines } = parseSize(size, 'size');
  const mode = choiceOption(
    { mode: options.mode as string | undefined },
    'mode',
    SCHEDULE_MODES,
    'active',
  );
  return { size, mode, jobs, machines };
}

function validationInstances(jobs: number, machines: number, count: number): Instance[] {
  const source = randomSource(jobs, machines);
  return Array.from({ length: count }, (_, i) =>
    randomInstance(source, VALIDATION_SEED, i, `val-${jobs}x${machines}-${i}`),
  );
}

export const jobshopTraining: TrainingAdapter = {
  options: {
    size: {
      type: 'string',
      description: 'size JxM of the random training instances',
      default: '6x6',
    },
    mode: {
      type: 'string',
      description: `schedule generation: ${SCHEDULE_MODES.join(', ')}`,
      default: 'active',
    },
  },
  parse(values: OptionValues) {
    const o = read({ size: stringOption(values, 'size', '6x6'), mode: values.mode });
    return { size: o.size, mode: o.mode };
  },
  makeEnv(options, numEnvs): VecEnv {
    const o = read(options);
    return new JobShopEnv(
      jobShopConfig({ numEnvs, source: randomSource(o.jobs, o.machines), mode: o.mode }),
    );
  },
  makeDeviceEnv(options, numEnvs, gpu): Promise<DeviceVecEnv> {
    const o = read(options);
    return JobShopGpuEnv.create(
      jobShopConfig({ numEnvs, source: randomSource(o.jobs, o.machines), mode: o.mode }),
      gpu,
    );
  },
  // Dense rewards are increases of the makespan bound in time units (Taillard durations 1..99).
  rewardScale: 1 / TIME_SCALE,
  normalization: FEATURES.scales,
  features: FEATURES,
  async validation(options, count): Promise<Validation> {
    const o = read(options);
    const instances = validationInstances(o.jobs, o.machines, count);
    let best = { name: '', metric: Infinity };
    for (const rule of RULE_NAMES) {
      const outcomes = await playEpisodes(instances, () => rulePolicy(rule, 0), o.mode);
      const metric = outcomes.reduce((s, x) => s + x.makespan, 0) / outcomes.length;
      if (metric < best.metric) best = { name: rule, metric };
    }
    return {
      numEnvs: instances.length,
      baseline: best,
      async evaluate(
        choose: (obs: Observation, numEnvs: number) => Promise<Int32Array>,
      ): Promise<number> {
        const env = new JobShopEnv(
          jobShopConfig({
            numEnvs: instances.length,
            source: { kind: 'fixed', instances },
            mode: o.mode,
          }),
        );
        env.reset(0);
        const makespans = new Float64Array(instances.length).fill(NaN);
        let open = instances.length;
        while (open > 0) {
          const r = env.step(await choose(env.obs, env.numEnvs));
          for (let e = 0; e < env.numEnvs; e++) {
            if (r.terminated[e] === 1 && Number.isNaN(makespans[e])) {
              makespans[e] = r.episodes.metric[e];
              open--;
            }
          }
        }
        return makespans.reduce((s, x) => s + x, 0) / makespans.length;
      },
    };
  },
};
