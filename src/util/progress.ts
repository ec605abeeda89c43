import cliProgress from 'cli-progress';

/**
 * Progress of a run as one display on stderr: the run's steps, the stage in
 * progress (its name, units done, ETA) and nested stages named after their
 * parents ("models › leave-site-out › fit 2/4"). Library code takes a Progress
 * and reports into it; only the CLI decides whether anything is drawn.
 */
export interface Progress {
  /** Start a stage of `total` units (nested inside the current one, if any). */
  stage(name: string, total: number): Stage;
  /** Print a line above the display (never through it). */
  log(line: string): void;
  /** Close the display; later output starts on a clean line. */
  stop(): void;
}

export interface Stage {
  tick(n?: number): void;
  /** Close the stage (its parent's display comes back). */
  done(): void;
}

const silentStage: Stage = { tick() {}, done() {} };
export const SILENT: Progress = { stage: () => silentStage, log() {}, stop() {} };

/** Run `work` inside a stage that is closed even when `work` throws. */
export async function inStage<T>(progress: Progress, name: string, total: number, work: (stage: Stage) => Promise<T> | T): Promise<T> {
  const s = progress.stage(name, total);
  try {
    return await work(s);
  } finally {
    s.done();
  }
}

interface Open {
  name: string;
  total: number;
  value: number;
  start: number;
}

/**
 * A bar on stderr. Rate and ETA are those of the innermost stage; the
 * outer stages show as "name i/n" in front of it.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const open: Open[] = [];
  const bar = new cliProgress.SingleBar(
    {
      format: '{label} [{bar}] {value}/{total} {eta_text}',
      stream,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  const label = () =>
    open
      .map((s, i) => (i < open.length - 1 ? `${s.name} ${Math.min(s.value + 1, s.total)}/${s.total}` : s.name))
      .join(' › ')
      .slice(-60)
      .padEnd(Math.min(60, 28));
  const eta = (s: Open) => {
    if (s.value === 0 || s.value >= s.total) return '';
    const elapsed = Date.now() - s.start;
    const left = (elapsed / s.value) * (s.total - s.value);
    const perSecond = (1000 * s.value) / Math.max(elapsed, 1);
    const rate = perSecond >= 1 ? `${perSecond.toFixed(1)}/s` : `${(60 * perSecond).toFixed(1)}/min`;
    return `${rate} ETA ${left < 60e3 ? `${Math.ceil(left / 1000)} s` : `${Math.floor(left / 60e3)} min ${Math.round((left % 60e3) / 1000)} s`}`;
  };
  const draw = () => {
    const top = open[open.length - 1];
    if (!top) return;
    const payload = { label: label(), eta_text: eta(top) };
    if (!running) {
      bar.start(top.total, top.value, payload);
      running = true;
    } else {
      bar.setTotal(top.total);
      bar.update(top.value, payload);
    }
  };
  const clear = () => {
    if (running) {
      bar.stop();
      running = false;
    }
  };
  return {
    stage(name, total) {
      const s: Open = { name, total: Math.max(1, total), value: 0, start: Date.now() };
      open.push(s);
      draw();
      let closed = false;
      return {
        tick(n = 1) {
          if (closed) return;
          s.value = Math.min(s.total, s.value + n);
          draw();
        },
        done() {
          if (closed) return;
          closed = true;
          const i = open.indexOf(s);
          if (i >= 0) open.splice(i, 1);
          if (open.length === 0) clear();
          else draw();
        },
      };
    },
    log(line) {
      const wasRunning = running;
      clear();
      stream.write(line.endsWith('\n') ? line : line + '\n');
      if (wasRunning) draw();
    },
    stop() {
      open.length = 0;
      clear();
    },
  };
}

/**
 * The display a command should use: a bar when stderr is a terminal, nothing
 * when it is not (CI logs, tests), when CESCREEN_QUIET is set, or with --json
 * when stdout is piped (a script is reading).
 */
export function commandProgress(o: { json?: boolean } = {}): Progress {
  if (!process.stderr.isTTY || process.env.CESCREEN_QUIET || (o.json && !process.stdout.isTTY)) return SILENT;
  return terminalProgress();
}
