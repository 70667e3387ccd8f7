/**
 * Progress of a long run: a bar redrawn in place on a terminal, plain lines otherwise (logs, CI),
 * with steps per second and the recent episode metric.
 */

import type { TrainProgress } from './train.js';

export interface Progress extends TrainProgress {
  done(): void;
}

export function createProgress(
  log: (line: string) => void,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  const tty = stream.isTTY === true;
  let lastLine = 0;
  let drawn = false;
  return {
    log(line) {
      if (drawn) stream.write('\n');
      drawn = false;
      log(line);
    },
    update(step, total, metrics) {
      const frac = Math.min(1, step / total);
      const metricKey = Object.keys(metrics).find(
        (k) => k.startsWith('charts/episodic_') && k !== 'charts/episodic_return',
      );
      const evalKey = Object.keys(metrics).find((k) => k.startsWith('eval/greedy_'));
      const parts = [
        `${step.toLocaleString('en-US')}/${total.toLocaleString('en-US')} steps`,
        `${(metrics['charts/SPS'] ?? 0).toLocaleString('en-US')} SPS`,
        metricKey === undefined
          ? ''
          : `${metricKey.slice('charts/episodic_'.length)} ${metrics[metricKey].toFixed(1)}`,
        evalKey === undefined
          ? ''
          : `greedy ${metrics[evalKey].toFixed(1)} (baseline ${metrics[evalKey.replace('greedy', 'baseline')]?.toFixed(1) ?? '?'})`,
      ].filter((p) => p !== '');
      if (tty) {
        const width = 24;
        const filled = Math.round(frac * width);
        stream.write(
          `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${parts.join('  ')}\x1b[K`,
        );
        drawn = true;
      } else if (evalKey !== undefined || Date.now() - lastLine > 10_000 || frac === 1) {
        lastLine = Date.now();
        log(`${(frac * 100).toFixed(0)}% ${parts.join(', ')}`);
      }
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
