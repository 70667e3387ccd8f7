/**
 * `schedrl eval` and `schedrl compare`, written once for every environment.
 *
 * - eval: the given policies (default: every baseline) on a suite, as a table of cells by
 *   policies and a summary per group.
 * - compare: every baseline and the given policies on the suite, the same tables, and each
 *   policy's ratio to the best baseline of each cell, per group.
 *
 * Both take the same flags on every environment; an environment adds only the flags that choose
 * its suite's contents (evaluation.options). Every episode is validated by the environment.
 */

import { LEARNER_BACKENDS } from '../agents/tfjs.js';
import { UsageError } from '../core/errors.js';
import { checkOutputPath, writeFileAtomic } from '../core/files.js';
import {
  choiceOption,
  flag,
  integerOption,
  listOption,
  optionalString,
  stringOption,
} from '../core/options.js';
import type {
  AnyEnvEntry,
  CommandReport,
  EnvCommand,
  OptionSpec,
  OptionValues,
} from '../core/registry.js';
import { BACKENDS } from '../core/vecenv.js';
import { BACKEND_OPTIONS, withBackend } from '../gpu/session.js';
import { checkSamples, evaluateSuite } from './evaluate.js';
import { parsePolicies, type PolicyRef } from './policies.js';
import {
  cellTable,
  extraTables,
  groupTable,
  ratiosToBestBaseline,
  suiteChart,
  summarize,
} from './report.js';

export type EvalKind = 'eval' | 'compare';

function options(entry: AnyEnvEntry, kind: EvalKind): Record<string, OptionSpec> {
  const suites = Object.entries(entry.evaluation.suites);
  return {
    suite: {
      type: 'string',
      description: `what to evaluate on: ${suites.map(([name, what]) => `${name} (${what})`).join('; ')}${entry.evaluation.suiteSyntax !== undefined ? `; or ${entry.evaluation.suiteSyntax}` : ''}`,
      default: suites[0][0],
    },
    ...entry.evaluation.options,
    policy: {
      type: 'string',
      description:
        kind === 'compare'
          ? `policies to compare with every baseline: checkpoint:FILE.json (or baseline names)`
          : `comma list: rules (every baseline), ${entry.baselines.names.join(', ')}, checkpoint:FILE.json`,
      ...(kind === 'eval' ? { default: 'rules' } : {}),
    },
    samples: {
      type: 'string',
      description: 'learned policies: best of K sampled episodes per copy (1: greedy)',
      default: '1',
    },
    seed: {
      type: 'string',
      description: 'seed of the episodes (random instances, arrivals) and of sampling',
      default: '0',
    },
    summary: { type: 'boolean', description: 'print only the per-group summaries' },
    chart: {
      type: 'string',
      description: `write an SVG chart of ${entry.metric.name} per cell, a panel per group`,
    },
    view: {
      type: 'string',
      description:
        'write an SVG picture (Gantt chart) of one episode: of the first checkpoint, else the first policy',
    },
    'view-cell': {
      type: 'string',
      description: 'the cell drawn by --view (default: the first)',
    },
    ...BACKEND_OPTIONS,
    'tf-backend': {
      type: 'string',
      description: `what computes learned policies: js (no TensorFlow.js), or a TensorFlow.js backend: ${LEARNER_BACKENDS.join(', ')}`,
      default: 'js',
    },
  };
}

async function run(
  entry: AnyEnvEntry,
  kind: EvalKind,
  values: OptionValues,
  log: (line: string) => void,
): Promise<CommandReport> {
  const suiteName = stringOption(values, 'suite', Object.keys(entry.evaluation.suites)[0]);
  const suite = entry.evaluation.suite(suiteName, values);
  // compare always plays every baseline first, so that each cell has its best baseline.
  const words = values.policy === undefined ? [] : listOption(values, 'policy', 'rules', (w) => w);
  const policies: PolicyRef[] = parsePolicies(
    entry,
    kind === 'compare' ? ['rules', ...words] : words.length > 0 ? words : ['rules'],
  );
  const samples = integerOption(values, 'samples', 1, 1, 4096);
  const seed = integerOption(values, 'seed', 0, 0, 0xffffffff);
  const tfBackend = choiceOption(values, 'tf-backend', LEARNER_BACKENDS, 'js');
  const chartFile = optionalString(values, 'chart');
  const viewFile = optionalString(values, 'view');
  const viewName = optionalString(values, 'view-cell');
  if (viewName !== undefined && viewFile === undefined)
    throw new UsageError('--view-cell needs --view FILE.svg');
  const viewCell = viewName === undefined ? 0 : suite.cells.findIndex((c) => c.name === viewName);
  if (viewCell < 0)
    throw new UsageError(
      `--view-cell '${viewName}' is not a cell of the suite`,
      `cells: ${suite.cells
        .slice(0, 12)
        .map((c) => c.name)
        .join(', ')}${suite.cells.length > 12 ? ', ...' : ''}`,
    );
  const backend = choiceOption(values, 'backend', BACKENDS, 'cpu');
  if (viewFile !== undefined && !entry.view.backends.includes(backend))
    throw new UsageError(
      `--view: ${entry.name} draws episodes on the ${entry.view.backends.join(' or ')} backend only`,
      'drop --view, or add --backend cpu',
    );
  if (policies.some((p) => p.kind === 'checkpoint')) checkSamples(entry, samples);
  // The picture shows the policy the user asked about: compare's first named one.
  const drawn = policies.find((p) => p.kind === 'checkpoint') ?? policies[0];
  for (const [file, name] of [
    [chartFile, 'chart'],
    [viewFile, 'view'],
  ] as const)
    if (file !== undefined) checkOutputPath(file, name);

  const labels = policies.map((p) => p.label);
  log(
    `${entry.name} ${kind}: ${suite.cells.length} cells of ${suite.name}, policies ${labels.join(', ')}`,
  );
  const evaluation = await withBackend(values, log, (session) =>
    evaluateSuite(entry, suite, policies, session, {
      samples,
      seed,
      tfBackend,
      ...(viewFile !== undefined ? { view: { cell: viewCell, policy: drawn.label } } : {}),
      log,
    }),
  );
  const { rows } = evaluation;
  if (!evaluation.validated)
    log(
      `${entry.name}: this backend keeps no schedules to validate; its results equal the validated CPU reference's (parity-tested)`,
    );
  const baselines = policies.filter((p) => p.kind === 'baseline').map((p) => p.label);
  const ratios = kind === 'compare' ? ratiosToBestBaseline(entry, rows, baselines) : null;
  const summaries = summarize(rows, ratios);
  const gaps = suite.cells.every((c) => c.bestKnown !== undefined);

  if (viewFile !== undefined) {
    if (evaluation.svg === undefined) throw new Error(`${entry.name}: no episode was drawn`);
    writeFileAtomic(viewFile, evaluation.svg);
    log(`wrote ${viewFile}`);
  }
  if (chartFile !== undefined) {
    writeFileAtomic(chartFile, suiteChart(entry, suite, rows, labels));
    log(`wrote ${chartFile}`);
  }
  const text = [
    ...(flag(values, 'summary') ? [] : [cellTable(entry, suite, rows, labels)]),
    groupTable(entry, suite, summaries, labels, gaps ? 'gap' : 'metric'),
    ...(ratios !== null ? [groupTable(entry, suite, summaries, labels, 'ratio')] : []),
    ...(flag(values, 'summary') ? [] : extraTables(suite, rows, labels)),
  ].join('\n');
  return {
    json: {
      env: entry.name,
      command: kind,
      suite: suite.name,
      metric: entry.metric,
      backend: values.backend ?? 'cpu',
      seed,
      samples,
      validated: evaluation.validated,
      policies: policies.map((p) =>
        p.kind === 'baseline' ? p.label : { label: p.label, checkpoint: p.file },
      ),
      cells: suite.cells,
      results: rows.map((r) => ({
        ...r,
        ...(ratios !== null ? { ratioToBestBaseline: ratios.get(r) ?? null } : {}),
      })),
      groups: summaries,
    },
    text,
  };
}

export function evalCommand(entry: AnyEnvEntry, kind: EvalKind): EnvCommand {
  return {
    options: options(entry, kind),
    run: (values, log) => run(entry, kind, values, log),
  };
}
