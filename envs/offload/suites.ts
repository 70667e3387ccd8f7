/**
 * What `eval` and `compare` play: the grid of loads x network conditions of the study, `--episodes`
 * episodes per cell, on the scenario the other flags choose. Episodes depend only on the seed, so
 * every policy meets the same drones and the same network.
 */

import { UsageError } from '../../src/core/errors.js';
import { integerOption, listOption } from '../../src/core/options.js';
import type {
  OptionSpec,
  OptionValues,
  Suite,
  SuiteCell,
  SuiteBatch,
} from '../../src/core/registry.js';
import { LOADS, type Load } from './models.js';
import {
  NETWORKS,
  SCENARIO_OPTIONS,
  offloadConfig,
  scenarioFromFlags,
  type Network,
} from './scenario.js';
import type { OffloadConfig } from './types.js';

export const SUITES = {
  grid: 'loads (--load) x networks (--network), --episodes episodes each',
} as const;

export const GRID_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  ...SCENARIO_OPTIONS,
  load: {
    type: 'string',
    description: `loads (a comma list of ${LOADS.join(', ')})`,
    default: 'light,medium,heavy',
  },
  network: {
    type: 'string',
    description: `networks (a comma list of ${NETWORKS.join(', ')})`,
    default: 'stable,variable',
  },
  episodes: { type: 'string', description: 'episodes per cell', default: '8' },
};

/** Validation episodes come from a seed of their own, never from the training streams. */
export const VALIDATION_SEED = 20_260_512;

function choiceList<T extends string>(
  values: OptionValues,
  flag: string,
  choices: readonly T[],
  fallback: string,
): T[] {
  const list = listOption(values, flag, fallback, (w) => {
    if (!(choices as readonly string[]).includes(w))
      throw new UsageError(`--${flag}: unknown '${w}'`, `${flag}: ${choices.join(', ')}`);
    return w as T;
  });
  if (new Set(list).size !== list.length)
    throw new UsageError(`--${flag} lists a value twice: ${list.join(',')}`);
  return list;
}

export function gridSuite(name: string, values: OptionValues): Suite<OffloadConfig> {
  if (name !== 'grid')
    throw new UsageError(
      `unknown offload suite '${name}'`,
      `suites: ${Object.keys(SUITES).join(', ')}`,
    );
  const loads = choiceList<Load>(values, 'load', LOADS, 'light,medium,heavy');
  const networks = choiceList<Network>(values, 'network', NETWORKS, 'stable,variable');
  const episodes = integerOption(values, 'episodes', 8, 1, 4096);
  const cells: SuiteCell[] = [];
  const batches: SuiteBatch<OffloadConfig>[] = [];
  for (const network of networks)
    for (const load of loads) {
      const scenario = scenarioFromFlags({ ...values, load, network });
      const config = offloadConfig(scenario, episodes);
      batches.push({
        config,
        cells: Array.from({ length: episodes }, () => cells.length),
        steps: config.segments * config.drones * config.models.length,
      });
      cells.push({
        name: `${load}, ${network}`,
        group: `${network} network`,
        info: { load, network, edges: scenario.edges, drones: scenario.drones },
        x: load,
      });
    }
  const s = scenarioFromFlags({ ...values, load: undefined, network: undefined });
  return { name: `${s.edges} edges, ${s.drones} drones`, cells, batches, xLabel: 'load' };
}
