import cliProgress from 'cli-progress';

export interface Progress {
  tick(n?: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr (so --json stdout stays clean). Silent when stderr is
 * not a terminal or when CESCREEN_QUIET is set, which keeps CI logs and tests tidy.
 */
export function progress(label: string, total: number): Progress {
  if (!process.stderr.isTTY || process.env.CESCREEN_QUIET) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label.padEnd(28)} [{bar}] {value}/{total} {duration_formatted}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    tick: (n = 1) => bar.increment(n),
    stop: () => bar.stop(),
  };
}

/** Run `work` over items with a bar. */
export async function withProgress<T, R>(label: string, items: T[], work: (item: T, i: number) => R | Promise<R>): Promise<R[]> {
  const bar = progress(label, items.length);
  const out: R[] = [];
  try {
    for (let i = 0; i < items.length; i++) {
      out.push(await work(items[i], i));
      bar.tick();
    }
  } finally {
    bar.stop();
  }
  return out;
}
