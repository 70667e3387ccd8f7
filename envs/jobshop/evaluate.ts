/**
 * `schedrl eval --env jobshop`: dispatching rules (and later learned policies) on benchmark
 * instances, each schedule checked by the validator, reported as gaps to the best-known makespans.
 */

import { UsageError } from '../../src/core/errors.js';
import { checkOutputPath, writeFileAtomic } from '../../src/core/files.js';
import {
  choiceOption,
  flag,
  integerOption,
  listOption,
  optionalString,
  stringOption,
} from '../../src/core/options.js';
import type { CommandReport, EnvCommand, OptionValues } from '../../src/core/registry.js';
import { markdownTable, mean, type Cell } from '../../src/core/table.js';
import type { Policy, StepResult } from '../../src/core/vecenv.js';
import { BACKEND_OPTIONS, withBackend, type BackendSession } from '../../src/gpu/session.js';
import { createJobShopEnv, type JobShopBatch } from './backend.js';
import { jobShopConfig } from './env.js';
import { basename } from 'node:path';
import { learnedPolicy, checkCompatible, type LearnedPolicy } from '../../src/agents/learned.js';
import { TF_BACKENDS, type TfBackendName } from '../../src/agents/tfjs.js';
import { readCheckpoint, type Checkpoint } from '../../src/train/checkpoint.js';
import { bundledBounds, selectInstances, type SelectedInstance } from './instances.js';
import { ENV_NAME } from './env.js';
import { CANDIDATE_FEATURES, GLOBAL_FEATURES } from './features.js';
import { RULE_NAMES, isRuleName, rulePolicy, type RuleName } from './rules.js';
import { SCHEDULE_MODES, type Instance, type Schedule, type ScheduleMode } from './types.js';
import { describeIssue, validateSchedule } from './validate.js';
import { renderGantt } from './viewer.js';

export interface EpisodeOutcome {
  readonly instance: Instance;
  readonly makespan: number;
  readonly schedule: Schedule;
}

/** Where `playEpisodes` steps its batches (the GPU context is needed for `webgpu`). */
export type PlayOptions = BackendSession;

const CPU: PlayOptions = { backend: 'cpu', gpu: undefined };

/**
 * Plays one episode of `policy` on each instance, batched: instances of the same shape share one
 * vectorized environment. Every schedule is validated; an invalid one is a bug and throws.
 */
export async function playEpisodes(
  instances: readonly Instance[],
  makePolicy: () => Policy<JobShopBatch> | Promise<Policy<JobShopBatch>>,
  mode: ScheduleMode,
  options: PlayOptions = CPU,
): Promise<EpisodeOutcome[]> {
  const groups = new Map<string, number[]>();
  instances.forEach((inst, i) => {
    const key = `${inst.numJobs}x${inst.numMachines}x${Math.max(...inst.jobs.map((ops) => ops.length))}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const outcomes: EpisodeOutcome[] = new Array<EpisodeOutcome>(instances.length);
  for (const members of groups.values()) {
    const group = members.map((i) => instances[i]);
    const config = jobShopConfig({
      numEnvs: group.length,
      source: { kind: 'fixed', instances: group },
      mode,
    });
    const env = await createJobShopEnv(config, options.backend, options.gpu);
    try {
      const policy = await makePolicy();
      const actions = new Int32Array(env.numEnvs);
      await env.reset(0);
      let open = group.length;
      const done = new Uint8Array(group.length);
      while (open > 0) {
        // Rules read the state, which on the GPU is a readback. The CPU reference is stepped
        // synchronously: awaiting every step of a 6,000-decision episode doubles its cost.
        let r: StepResult;
        if (env.reference !== undefined) {
          const pending = policy.act(env, actions);
          if (pending !== undefined) await pending;
          r = env.reference.step(actions);
        } else {
          await env.syncState();
          await policy.act(env, actions);
          r = await env.step(actions);
          if (r.terminated.some((d, e) => d === 1 && done[e] === 0)) await env.syncState();
        }
        for (let e = 0; e < env.numEnvs; e++) {
          if (r.terminated[e] === 0 || done[e] === 1) continue;
          done[e] = 1;
          open--;
          const { instanceIndex, schedule } = env.finalSchedule(e);
          const instance = group[instanceIndex];
          const makespan = r.episodes.metric[e];
          const issues = validateSchedule(instance, schedule, makespan);
          if (issues.length > 0) {
            throw new Error(
              `jobshop: ${policy.name} built an invalid schedule for ${instance.name} (${mode}, ${options.backend}): ${issues.slice(0, 3).map(describeIssue).join('; ')}`,
            );
          }
          outcomes[members[instanceIndex]] = { instance, makespan, schedule };
        }
      }
    } finally {
      env.close();
    }
  }
  return outcomes;
}

/** A policy named on the command line: a dispatching rule or a trained checkpoint. */
export type PolicyRef =
  | { readonly kind: 'rule'; readonly name: RuleName; readonly label: string }
  | {
      readonly kind: 'checkpoint';
      readonly file: string;
      readonly checkpoint: Checkpoint;
      readonly label: string;
    };

export const CHECKPOINT_PREFIX = 'checkpoint:';

/** `rules` stands for every rule; `checkpoint:FILE` loads (and validates) a trained policy. */
export function parsePolicies(words: readonly string[]): PolicyRef[] {
  const out: PolicyRef[] = [];
  const add = (p: PolicyRef): void => {
    if (!out.some((q) => q.label === p.label)) out.push(p);
  };
  for (const w of words) {
    const name = w.toLowerCase();
    if (name.startsWith(CHECKPOINT_PREFIX)) {
      const file = w.slice(CHECKPOINT_PREFIX.length);
      const checkpoint = readCheckpoint(file);
      checkCompatible(checkpoint, file, ENV_NAME, {
        maxCandidates: 1,
        candidateFeatures: CANDIDATE_FEATURES,
        globalFeatures: GLOBAL_FEATURES,
      });
      const short = basename(file).replace(/\.json$/, '');
      // Two checkpoints with one file name (runs/a/checkpoint.json, runs/b/...) keep their paths.
      const label = out.some((p) => p.label === short && p.kind === 'checkpoint' && p.file !== file)
        ? file
        : short;
      add({ kind: 'checkpoint', file, checkpoint, label });
    } else if (name === 'rules')
      RULE_NAMES.forEach((r) => add({ kind: 'rule', name: r, label: r }));
    else if (isRuleName(name)) add({ kind: 'rule', name, label: name });
    else {
      throw new UsageError(
        `unknown policy '${w}'`,
        `policies: rules (all of them), ${RULE_NAMES.join(', ')}, or checkpoint:FILE.json`,
      );
    }
  }
  return out;
}

/** How learned policies act in `evaluatePolicies`. */
export interface PolicyOptions {
  /** 1: greedy; K > 1: K sampled episodes per instance (run as parallel copies), the best kept. */
  readonly samples: number;
  readonly seed: number;
  /** TensorFlow.js backend of learned policies. */
  readonly tfBackend: TfBackendName;
}

export interface EvalRow {
  readonly instance: string;
  readonly group: string;
  readonly jobs: number;
  readonly machines: number;
  readonly bestKnown: number | null;
  readonly lowerBound: number | null;
  readonly optimal: boolean | null;
  readonly mode: ScheduleMode;
  readonly policy: string;
  readonly makespan: number;
  /** 100 * (makespan - best known) / best known, null without a best-known value. */
  readonly gapPercent: number | null;
}

export interface GroupSummary {
  readonly mode: ScheduleMode;
  readonly group: string;
  readonly policy: string;
  readonly instances: number;
  readonly meanGapPercent: number | null;
}

/**
 * Size group of each selected instance, as benchmark papers report them ("ta 15x15"). A family
 * whose bundled instances all differ in size (bel, ft) is one group; user files are grouped by
 * size.
 */
export function groupNames(selected: readonly SelectedInstance[]): string[] {
  const all = Object.values(bundledBounds());
  const mixed = new Set<string>();
  for (const family of new Set(all.map((b) => b.family))) {
    const sizes = all.filter((b) => b.family === family).map((b) => `${b.jobs}x${b.machines}`);
    if (new Set(sizes).size === sizes.length) mixed.add(family);
  }
  return selected.map((sel) => {
    const family = sel.bounds?.family;
    if (family !== undefined && mixed.has(family)) return `${family} (mixed sizes)`;
    return `${family ?? 'file'} ${sel.instance.numJobs}x${sel.instance.numMachines}`;
  });
}

export interface Evaluation {
  readonly rows: EvalRow[];
  /** The validated schedule behind each row, in the same order. */
  readonly schedules: Schedule[];
}

export async function evaluatePolicies(
  selected: readonly SelectedInstance[],
  policies: readonly PolicyRef[],
  modes: readonly ScheduleMode[],
  policyOptions: PolicyOptions,
  options: PlayOptions = CPU,
): Promise<Evaluation> {
  const rows: EvalRow[] = [];
  const schedules: Schedule[] = [];
  const instances = selected.map((s) => s.instance);
  const groups = groupNames(selected);
  const K = policyOptions.samples;
  // Best-of-K: every instance K times in the batch, each copy sampling its own episode.
  const expanded =
    K === 1
      ? instances
      : instances.flatMap((inst) =>
          Array.from({ length: K }, (_, k) => ({ ...inst, name: `${inst.name}#${k}` })),
        );
  for (const mode of modes) {
    for (const policy of policies) {
      const opened: LearnedPolicy[] = [];
      const make = async (): Promise<Policy<JobShopBatch>> => {
        if (policy.kind === 'rule') return rulePolicy(policy.name, policyOptions.seed);
        const learned = await learnedPolicy(policy.checkpoint, policy.label, {
          sample: K > 1,
          seed: policyOptions.seed,
          backend: policyOptions.tfBackend,
        });
        opened.push(learned);
        return learned;
      };
      const played = await playEpisodes(
        K === 1 || policy.kind === 'rule' ? instances : expanded,
        make,
        mode,
        options,
      );
      opened.forEach((p) => p.dispose());
      const outcomes =
        played.length === instances.length
          ? played
          : instances.map((inst, i) => {
              const best = played
                .slice(i * K, (i + 1) * K)
                .reduce((a, b) => (b.makespan < a.makespan ? b : a));
              return { ...best, instance: inst };
            });
      outcomes.forEach((o, i) => {
        const b = selected[i].bounds;
        schedules.push(o.schedule);
        rows.push({
          instance: o.instance.name,
          group: groups[i],
          jobs: o.instance.numJobs,
          machines: o.instance.numMachines,
          bestKnown: b?.upperBound ?? null,
          lowerBound: b?.lowerBound ?? null,
          optimal: b?.optimal ?? null,
          mode,
          policy: policy.label,
          makespan: o.makespan,
          gapPercent: b === undefined ? null : (100 * (o.makespan - b.upperBound)) / b.upperBound,
        });
      });
    }
  }
  return { rows, schedules };
}

export function summarize(rows: readonly EvalRow[]): GroupSummary[] {
  const buckets = new Map<string, EvalRow[]>();
  for (const r of rows) {
    const key = `${r.mode}\u0000${r.group}\u0000${r.policy}`;
    buckets.set(key, [...(buckets.get(key) ?? []), r]);
  }
  return [...buckets.values()].map((rs) => {
    const gaps = rs.flatMap((r) => (r.gapPercent === null ? [] : [r.gapPercent]));
    return {
      mode: rs[0].mode,
      group: rs[0].group,
      policy: rs[0].policy,
      instances: rs.length,
      meanGapPercent: gaps.length > 0 ? mean(gaps) : null,
    };
  });
}

function instanceTables(
  rows: readonly EvalRow[],
  modes: readonly ScheduleMode[],
  policies: readonly string[],
): string {
  const single = modes.length === 1 && policies.length === 1;
  return modes
    .map((mode) => {
      const mine = rows.filter((r) => r.mode === mode);
      const names = [...new Set(mine.map((r) => r.instance))];
      if (single) {
        return markdownTable({
          title: `${policies[0]} (${mode} schedules)`,
          columns: ['instance', 'size', 'makespan', 'best known', 'gap %'],
          rows: mine.map((r) => [
            r.instance,
            `${r.jobs}x${r.machines}`,
            r.makespan,
            r.bestKnown,
            r.gapPercent,
          ]),
        });
      }
      // Gaps need a best-known makespan; user files have none, so then the table shows makespans.
      const gaps = mine.every((r) => r.gapPercent !== null);
      return markdownTable({
        title: gaps
          ? `makespan gap % to best known (${mode} schedules)`
          : `makespan (${mode} schedules)`,
        columns: ['instance', 'size', 'best known', ...policies],
        rows: names.map((n) => {
          const rs = mine.filter((r) => r.instance === n);
          const value = (r: EvalRow | undefined): Cell =>
            r === undefined ? null : gaps ? r.gapPercent : r.makespan;
          return [
            n,
            `${rs[0].jobs}x${rs[0].machines}`,
            rs[0].bestKnown,
            ...policies.map((p) => value(rs.find((r) => r.policy === p))),
          ];
        }),
      });
    })
    .join('\n');
}

function summaryTables(
  groups: readonly GroupSummary[],
  modes: readonly ScheduleMode[],
  policies: readonly string[],
): string {
  return modes
    .map((mode) => {
      const mine = groups.filter((g) => g.mode === mode);
      const names = [...new Set(mine.map((g) => g.group))];
      return markdownTable({
        title: `mean gap % per size group (${mode} schedules)`,
        columns: ['group', 'n', ...policies, 'best'],
        rows: names.map((name) => {
          const gs = policies.map((p) => mine.find((g) => g.group === name && g.policy === p));
          const gaps = gs.map((g) => g?.meanGapPercent ?? null);
          let best: string | null = null;
          gaps.forEach((v, i) => {
            const current = best === null ? null : gaps[policies.indexOf(best)];
            if (v !== null && (current === null || v < current)) best = policies[i];
          });
          return [name, gs[0]?.instances ?? 0, ...gaps, best];
        }),
      });
    })
    .join('\n');
}

export const evalCommand: EnvCommand = {
  options: {
    ...BACKEND_OPTIONS,
    instances: {
      type: 'string',
      description:
        'instances: names, ranges (ta01-ta10), families (taillard), family:JxM, all, or files',
      default: 'taillard',
    },
    policy: {
      type: 'string',
      description: `comma list of policies: rules (all), ${RULE_NAMES.join(', ')}, checkpoint:FILE.json`,
      default: 'rules',
    },
    samples: {
      type: 'string',
      description: 'learned policies: best of K sampled episodes per instance (1: greedy)',
      default: '1',
    },
    'tf-backend': {
      type: 'string',
      description: `TensorFlow.js backend of learned policies: ${TF_BACKENDS.join(', ')}`,
      default: 'wasm',
    },
    mode: {
      type: 'string',
      description: 'schedule generation: active, conflict (Giffler-Thompson), nondelay, or all',
      default: 'active',
    },
    seed: { type: 'string', description: 'seed of the random rule', default: '0' },
    summary: { type: 'boolean', description: 'print only the per-group summary' },
    gantt: {
      type: 'string',
      description: 'write a Gantt chart (SVG) of one schedule to this file',
    },
    'gantt-instance': {
      type: 'string',
      description: 'instance drawn by --gantt (default: the first selected)',
    },
  },
  async run(values: OptionValues, log): Promise<CommandReport> {
    const selected = selectInstances(stringOption(values, 'instances', 'taillard'));
    const policies = parsePolicies(listOption(values, 'policy', 'rules', (w) => w));
    const modeWord = choiceOption(values, 'mode', [...SCHEDULE_MODES, 'all'], 'active');
    const modes: ScheduleMode[] = modeWord === 'all' ? [...SCHEDULE_MODES] : [modeWord];
    const seed = integerOption(values, 'seed', 0, 0, 0xffffffff);
    const ganttFile = optionalString(values, 'gantt');
    const ganttName = optionalString(values, 'gantt-instance');
    if (ganttName !== undefined && ganttFile === undefined)
      throw new UsageError('--gantt-instance needs --gantt FILE.svg');
    const ganttTarget = ganttName ?? selected[0].instance.name;
    if (ganttFile !== undefined) checkOutputPath(ganttFile, 'gantt');
    if (ganttFile !== undefined && !selected.some((s) => s.instance.name === ganttTarget)) {
      throw new UsageError(`--gantt-instance '${ganttTarget}' is not among the selected instances`);
    }

    log(
      `jobshop eval: ${selected.length} instances, policies ${policies.map((p) => p.label).join(', ')}, ${modes.join(' and ')} schedules`,
    );
    const { rows, schedules } = await withBackend(values, log, (session) =>
      evaluatePolicies(
        selected,
        policies,
        modes,
        {
          samples: integerOption(values, 'samples', 1, 1, 4096),
          seed,
          tfBackend: choiceOption(values, 'tf-backend', TF_BACKENDS, 'wasm'),
        },
        session,
      ),
    );
    const groups = summarize(rows);
    const labels = policies.map((p) => p.label);

    if (ganttFile !== undefined) {
      // The schedule behind the table's row: first policy, first mode.
      const i = rows.findIndex(
        (r) => r.instance === ganttTarget && r.policy === labels[0] && r.mode === modes[0],
      );
      const sel = selected.find((s) => s.instance.name === ganttTarget)!;
      writeFileAtomic(
        ganttFile,
        renderGantt(sel.instance, schedules[i], {
          title: `${ganttTarget}: ${labels[0]} (${modes[0]}), makespan ${rows[i].makespan}`,
        }),
      );
      log(`wrote ${ganttFile}`);
    }

    const text = [
      flag(values, 'summary') ? '' : instanceTables(rows, modes, labels),
      summaryTables(groups, modes, labels),
    ]
      .filter((t) => t !== '')
      .join('\n');
    return {
      json: {
        env: 'jobshop',
        command: 'eval',
        backend: values.backend ?? 'cpu',
        seed,
        modes,
        policies: policies.map((p) =>
          p.kind === 'rule' ? p.label : { label: p.label, checkpoint: p.file },
        ),
        instances: selected.map((s) => s.instance.name),
        results: rows,
        groups,
      },
      text,
    };
  },
};
