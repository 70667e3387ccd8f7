import { runCli } from '../../src/cli/main.js';

/** One command line run in-process, with what it printed on stdout and stderr. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

/** Flags of a training run that takes seconds: small batches, few validation episodes, tfjs cpu. */
export const TINY_TRAINING = [
  '--num-envs',
  '8',
  '--num-steps',
  '32',
  '--eval-instances',
  '2',
  '--tf-backend',
  'cpu',
];

/** `schedrl eval` of one checkpoint file on ft06, the job shop's smallest benchmark instance. */
export const evalOnFt06 = (file: string): ReturnType<typeof cli> =>
  cli('eval', '--env', 'jobshop', '--suite', 'ft06', '--policy', `checkpoint:${file}`);
