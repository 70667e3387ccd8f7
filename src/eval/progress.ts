/**
 * Progress lines on the log (stderr) for long evaluations: while a batch runs, one line every
 * `seconds` with the steps done (of the expected count, where the suite knows it), and one
 * when a batch that printed any ends. Short batches print nothing, so small suites stay quiet.
 */
export class Progress {
  private where = '';
  private expected: number | undefined;
  private began = 0;
  private next = 0;
  private printed = false;
  private steps = 0;

  constructor(
    private readonly log: ((line: string) => void) | undefined,
    private readonly seconds: number,
  ) {}

  start(where: string, expected: number | undefined): void {
    this.where = where;
    this.expected = expected;
    this.began = performance.now();
    this.next = this.began + this.seconds * 1000;
    this.printed = false;
    this.steps = 0;
  }

  step(steps: number): void {
    this.steps = steps;
    // One clock read per step: cheap beside any step, and lines come at most every `seconds`.
    if (this.log === undefined || performance.now() < this.next) return;
    this.line();
    this.next = performance.now() + this.seconds * 1000;
  }

  end(): void {
    if (this.printed) this.line(' (done)');
  }

  private line(suffix = ''): void {
    const of =
      this.expected === undefined
        ? ''
        : ` of ${this.expected} (${Math.floor((100 * this.steps) / this.expected)}%)`;
    const elapsed = ((performance.now() - this.began) / 1000).toFixed(0);
    this.log?.(`${this.where}: ${this.steps} decision steps${of}, ${elapsed} s${suffix}`);
    this.printed = true;
  }
}
