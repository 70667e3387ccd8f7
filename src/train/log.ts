/**
 * Training metrics by CleanRL's names against the global step, written as JSON lines
 * (metrics.jsonl) and CSV (metrics.csv). Each row is appended and flushed, so a run that stops
 * leaves its log complete up to the last update.
 */

import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MetricsRow {
  readonly global_step: number;
  readonly [name: string]: number;
}

/** The CSV columns: the first row's metrics fix them (later metrics go to JSONL only). */
export class MetricsLog {
  private readonly jsonl: string;
  private readonly csv: string;
  private columns: string[] | null = null;
  private readonly all: MetricsRow[] = [];

  constructor(dir: string, append: boolean) {
    mkdirSync(dir, { recursive: true });
    this.jsonl = join(dir, 'metrics.jsonl');
    this.csv = join(dir, 'metrics.csv');
    if (append && existsSync(this.jsonl)) {
      for (const line of readFileSync(this.jsonl, 'utf8').split('\n'))
        if (line.trim() !== '') this.all.push(JSON.parse(line) as MetricsRow);
      if (existsSync(this.csv))
        this.columns = readFileSync(this.csv, 'utf8').split('\n')[0].split(',');
    } else {
      writeFileSync(this.jsonl, '');
      writeFileSync(this.csv, '');
    }
  }

  write(step: number, metrics: Readonly<Record<string, number>>): void {
    const row: MetricsRow = { global_step: step, ...metrics };
    this.all.push(row);
    appendFileSync(this.jsonl, JSON.stringify(row) + '\n');
    if (this.columns === null) {
      this.columns = Object.keys(row);
      appendFileSync(this.csv, this.columns.join(',') + '\n');
    }
    appendFileSync(
      this.csv,
      this.columns.map((c) => (row[c] === undefined ? '' : String(row[c]))).join(',') + '\n',
    );
  }

  rows(): readonly MetricsRow[] {
    return this.all;
  }

  close(): void {}
}
