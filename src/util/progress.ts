import cliProgress from 'cli-progress';

/**
 * Progress of a run, as tqdm shows it: one overall bar (the run's steps,
 * elapsed time, ETA) and the current step's bar (its name with the names of
 * the stages it sits in, its count, rate and ETA). Library code takes a
 * Progress, or reports into the command's (`currentProgress()`), and opens
 * stages in it; only the CLI decides whether anything is drawn.
 */
export interface Progress {
  /**
   * Start a stage (nested inside the current one, if any) of `units` units, or
   * of units with these relative weights (e.g. measured seconds per step), so
   * the overall ETA holds when steps differ in length.
   */
  stage(name: string, units: number | readonly number[]): Stage;
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
export async function inStage<T>(progress: Progress, name: string, units: number | readonly number[], work: (stage: Stage) => Promise<T> | T): Promise<T> {
  const s = progress.stage(name, units);
  try {
    return await work(s);
  } finally {
    s.done();
  }
}

let current: Progress = SILENT;

/**
 * The progress of the command being run (SILENT in library use, tests and
 * worker threads). Code deep inside a step (a model fit's iterations) reports
 * here without a Progress passed down to it:
 *   const s = currentProgress().stage('GP hyper-parameters', iterations); … s.tick(); … s.done();
 */
export function currentProgress(): Progress {
  return current;
}

interface Open {
  name: string;
  /** Cumulative weights: done[k] = weight of the first k units. */
  cumulative: number[];
  value: number;
  start: number;
  /** Largest fraction shown so far: a step whose inner stages run one after another never makes the bar go back. */
  shown: number;
}

const total = (s: Open) => s.cumulative.length - 1;

function openStage(name: string, units: number | readonly number[]): Open {
  const w = typeof units === 'number' ? Array.from({ length: Math.max(1, Math.round(units)) }, () => 1) : units.length ? units.map((x) => Math.max(0, x)) : [1];
  const cumulative = [0];
  for (const x of w) cumulative.push(cumulative[cumulative.length - 1] + x);
  return { name, cumulative, value: 0, start: Date.now(), shown: 0 };
}

/** Done fraction of stage i of the stack, counting the part of its current unit that the stages inside it have done. */
function fraction(open: readonly Open[], i: number): number {
  const s = open[i];
  const all = s.cumulative[total(s)] || 1;
  const done = s.cumulative[s.value];
  if (s.value >= total(s)) return 1;
  const inner = i + 1 < open.length ? fraction(open, i + 1) : 0;
  return (done + inner * (s.cumulative[s.value + 1] - done)) / all;
}

/** 75 → '01:15', 3725 → '1:02:05' (as tqdm). */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const t = Math.max(0, Math.round(seconds));
  const [h, m, s] = [Math.floor(t / 3600), Math.floor((t % 3600) / 60), t % 60];
  const two = (x: number) => String(x).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

function rate(units: number, seconds: number): string {
  if (units <= 0 || seconds <= 0) return '?/s';
  const r = units / seconds;
  return r >= 1 ? `${r.toFixed(r >= 10 ? 0 : 1)}/s` : `${(seconds / units).toFixed(seconds / units >= 10 ? 0 : 1)} s each`;
}

function bar(f: number, width: number): string {
  const full = Math.round(Math.min(1, Math.max(0, f)) * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/** The two lines of the display for a stack of open stages, at time `now`. */
export function progressLines(open: Open[], now: number, width = 100): [string, string] {
  const fit = (s: string) => (s.length > width ? s.slice(0, width - 1) + '…' : s);
  if (open.length === 0) return ['', ''];
  const root = open[0];
  const f = (root.shown = Math.max(root.shown, fraction(open, 0)));
  const elapsed = (now - root.start) / 1000;
  const eta = f > 0.005 ? (elapsed * (1 - f)) / f : NaN;
  const overall = `${root.name} ${String(Math.floor(f * 100)).padStart(3)}%|${bar(f, 20)}| ${Math.min(root.value + 1, total(root))}/${total(root)} [${clock(elapsed)}<${clock(eta)}]`;
  const top = open[open.length - 1];
  if (open.length === 1) return [fit(overall), ''];
  const path = open.slice(1).map((s, i) => (i + 1 < open.length - 1 ? `${s.name} ${Math.min(s.value + 1, total(s))}/${total(s)}` : s.name)).join(' › ');
  const t = (now - top.start) / 1000;
  const g = top.value / total(top);
  const stepEta = top.value > 0 ? (t * (total(top) - top.value)) / top.value : NaN;
  const step = `  ${path} ${String(Math.floor(g * 100)).padStart(3)}%|${bar(g, 12)}| ${top.value}/${total(top)} [${clock(t)}<${clock(stepEta)}, ${rate(top.value, t)}]`;
  return [fit(overall), fit(step)];
}

/** The display on a terminal stream: two bars redrawn 5 times a second, and on every tick of a busy loop. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const open: Open[] = [];
  let multi: cliProgress.MultiBar | undefined;
  let bars = 0;
  let lastDraw = 0;
  const line = (k: 0 | 1) => () => progressLines(open, Date.now(), (stream.columns || 100) - 1)[k];
  const draw = (force = false) => {
    if (open.length === 0) return;
    multi ??= new cliProgress.MultiBar({ stream, hideCursor: true, clearOnComplete: true, fps: 5, linewrap: false }, cliProgress.Presets.shades_classic);
    for (; bars < Math.min(2, open.length); bars++) multi.create(1, 0, {}, { format: line(bars as 0 | 1) });
    // a tick inside a synchronous loop never lets the timer run: draw from here, at most 5 times a second
    if (force || Date.now() - lastDraw > 200) {
      lastDraw = Date.now();
      multi.update();
    }
  };
  const clear = () => {
    multi?.stop();
    multi = undefined;
    bars = 0;
  };
  return {
    stage(name, units) {
      const s = openStage(name, units);
      open.push(s);
      draw(true);
      let closed = false;
      return {
        tick(n = 1) {
          if (closed) return;
          s.value = Math.min(total(s), s.value + n);
          draw();
        },
        done() {
          if (closed) return;
          closed = true;
          const i = open.indexOf(s);
          if (i >= 0) open.splice(i, 1);
          if (open.length === 0) clear();
          else draw(true);
        },
      };
    },
    log(text) {
      const wasShown = multi !== undefined;
      clear();
      stream.write(text.endsWith('\n') ? text : text + '\n');
      if (wasShown) draw(true);
    },
    stop() {
      open.length = 0;
      clear();
    },
  };
}

/**
 * The display a command should use, also made the current one: bars when
 * stderr is a terminal, nothing when it is not (CI logs, tests), when
 * CESCREEN_QUIET is set, or with --json when stdout is piped (a script is reading).
 */
export function commandProgress(o: { json?: boolean } = {}): Progress {
  current = !process.stderr.isTTY || process.env.CESCREEN_QUIET || (o.json && !process.stdout.isTTY) ? SILENT : terminalProgress();
  return current;
}
