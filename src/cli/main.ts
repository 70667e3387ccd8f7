/**
 * The `schedrl` command. Exit codes: 0 success, 1 failure (bad input file, invalid result, crash),
 * 2 bad usage (unknown command, flag, environment, instance or policy), 130/143 a training run
 * stopped by SIGINT/SIGTERM.
 * Tables and JSON go to stdout; progress and notes go to stderr. bin.ts is the executable;
 * this module only exports `runCli`, so that tests drive the command line in-process.
 */

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError, UsageError } from '../core/errors.js';
import { checkOutputPath, writeFileAtomic } from '../core/files.js';
import { benchCommand } from '../bench/command.js';
import { evalCommand } from '../eval/command.js';
import { exportCommand } from '../export/command.js';
import { trainCommand, TrainingInterrupted } from '../train/command.js';
import { version } from '../core/paths.js';
import {
  ENVIRONMENTS,
  findEnv,
  type AnyEnvEntry,
  type CommandReport,
  type EnvCommand,
} from '../core/registry.js';

type Subcommand = 'train' | 'eval' | 'compare' | 'bench' | 'export';

const SUBCOMMANDS: Readonly<
  Record<Subcommand, { summary: string; pick: (e: AnyEnvEntry) => EnvCommand }>
> = {
  train: { summary: 'train a PPO or A2C policy on an environment', pick: (e) => trainCommand(e) },
  eval: {
    summary: 'play policies (default: every baseline) on an evaluation suite, cell by cell',
    pick: (e) => evalCommand(e, 'eval'),
  },
  compare: {
    summary:
      'every baseline and the given policies on a suite, with ratios to the best baseline and a chart',
    pick: (e) => evalCommand(e, 'compare'),
  },
  bench: {
    summary: 'measure environment decisions per second on both step backends (JSON)',
    pick: (e) => benchCommand(e),
  },
  export: {
    summary: 'turn a checkpoint into a standalone dispatch module',
    pick: () => exportCommand,
  },
};

const COMMON_OPTIONS = {
  env: { type: 'string', description: 'environment', default: ENVIRONMENTS[0].name },
  out: { type: 'string', description: 'also write the results as JSON to this file' },
  help: { type: 'boolean', description: 'show this help' },
} as const;

function isSubcommand(word: string | undefined): word is Subcommand {
  return word !== undefined && Object.hasOwn(SUBCOMMANDS, word);
}

function mainUsage(): string {
  const cmds = Object.entries(SUBCOMMANDS).map(([name, c]) => `  ${name.padEnd(8)}${c.summary}`);
  const envs = ENVIRONMENTS.map((e) => `  ${e.name.padEnd(10)}${e.summary}`);
  return [
    `schedrl ${version()}: reinforcement learning for scheduling`,
    '',
    'usage: schedrl <command> --env <name> [options]      schedrl <command> --help',
    '',
    'commands:',
    ...cmds,
    '',
    'environments:',
    ...envs,
  ].join('\n');
}

function commandUsage(sub: Subcommand, env: AnyEnvEntry): string {
  const opts = { ...COMMON_OPTIONS, ...SUBCOMMANDS[sub].pick(env).options };
  const lines = Object.entries(opts).map(([name, o]) => {
    const arg = o.type === 'string' ? ` <value>` : '';
    const dflt = 'default' in o && o.default !== undefined ? ` (default: ${o.default})` : '';
    return `  --${(name + arg).padEnd(26)}${o.description}${dflt}`;
  });
  return [
    `usage: schedrl ${sub} --env ${env.name} [options]`,
    '',
    `${SUBCOMMANDS[sub].summary}.`,
    '',
    'options:',
    ...lines,
  ].join('\n');
}

/** Finds --env before full parsing, since the environment decides which other flags exist. */
function envFromArgs(args: readonly string[]): AnyEnvEntry {
  let name: string = COMMON_OPTIONS.env.default;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--env') name = args[i + 1] ?? '';
    else if (args[i].startsWith('--env=')) name = args[i].slice('--env='.length);
  }
  const env = findEnv(name);
  if (env === undefined)
    throw new UsageError(
      `unknown environment '${name}'`,
      `environments: ${ENVIRONMENTS.map((e) => e.name).join(', ')}`,
    );
  return env;
}

/**
 * Joins each string-typed `--name` with the token after it (`--seed -1` becomes `--seed=-1`), as
 * getopt does for an option that requires an argument: parseArgs refuses a value that starts
 * with '-' as ambiguous, so a negative number never reached the flag's own range check, which
 * names the flag and its range.
 */
function attachValues(
  args: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined;
    if (
      name !== undefined &&
      Object.hasOwn(options, name) &&
      options[name].type === 'string' &&
      i + 1 < args.length
    ) {
      out.push(`${a}=${args[++i]}`);
    } else {
      out.push(a);
    }
  }
  return out;
}

/** Where the command line writes: the process's streams, or a test's buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** Runs one command line and returns its exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    return reportError(err, io);
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr(mainUsage() + '\n');
    return 2;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    io.stdout(mainUsage() + '\n');
    return 0;
  }
  if (first === '--version') {
    io.stdout(version() + '\n');
    return 0;
  }
  if (!isSubcommand(first))
    throw new UsageError(
      `unknown command '${first}'`,
      `commands: ${Object.keys(SUBCOMMANDS).join(', ')}; see schedrl --help`,
    );
  const env = envFromArgs(rest);
  const command = SUBCOMMANDS[first].pick(env);
  const options: ParseArgsConfig['options'] = {};
  for (const [name, o] of Object.entries({ ...COMMON_OPTIONS, ...command.options }))
    options[name] = { type: o.type };
  let values: Record<string, string | boolean | undefined>;
  try {
    // No option is declared `multiple`, so no value is an array.
    values = parseArgs({
      args: attachValues(rest, options),
      options,
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new UsageError(
      (err as Error).message.split('\n')[0],
      `see: schedrl ${first} --env ${env.name} --help`,
    );
  }
  if (values.help === true) {
    io.stdout(commandUsage(first, env) + '\n');
    return 0;
  }
  let report: CommandReport;
  try {
    if (values.out !== undefined && command.ownsOut !== true)
      checkOutputPath(String(values.out), 'out');
    report = await command.run(values, (line) => io.stderr(line + '\n'));
  } catch (err) {
    // Every usage error points somewhere: its own hint, or this command's help.
    if (err instanceof UsageError && err.hint === undefined) {
      throw new UsageError(err.message, `see: schedrl ${first} --env ${env.name} --help`);
    }
    throw err;
  }
  io.stdout(report.text.endsWith('\n') ? report.text : report.text + '\n');
  const out = values.out;
  if (typeof out === 'string' && command.ownsOut !== true) {
    writeFileAtomic(out, JSON.stringify(report.json, null, 2) + '\n');
    io.stderr(`wrote ${out}\n`);
  }
  return 0;
}

function reportError(err: unknown, io: CliIo): number {
  if (err instanceof UsageError) {
    io.stderr(`schedrl: ${err.message}\n`);
    if (err.hint !== undefined) io.stderr(`${err.hint}\n`);
    return 2;
  }
  if (err instanceof InputError) {
    io.stderr(`schedrl: ${err.message}\n`);
    return 1;
  }
  // A training run stopped by a signal: 130 (SIGINT) or 143 (SIGTERM), as a shell reports it.
  if (err instanceof TrainingInterrupted) {
    io.stderr(`schedrl: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  io.stderr(`schedrl: ${process.env.SCHEDRL_DEBUG ? (e.stack ?? e.message) : e.message}\n`);
  return 1;
}
