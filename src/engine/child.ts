/**
 * An engine's process (lmp, python) kept alive and fed requests on stdin, so
 * a run pays its start-up once per worker instead of once per relaxation. No
 * shell is involved. Every live process is killed when cescreen exits, however
 * it exits; and a process whose parent died sees its stdin close and stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const p of live) p.kill('SIGKILL');
  live.clear();
}

/** The process ended (or never started) while a request waited on it. */
export class EngineExit extends Error {
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  readonly spawnError?: NodeJS.ErrnoException;
  constructor(message: string, spawnError?: NodeJS.ErrnoException) {
    super(message);
    this.name = 'EngineExit';
    this.spawnError = spawnError;
  }
}

interface Pending {
  done: (out: string) => boolean;
  resolve: (out: string) => void;
  reject: (e: Error) => void;
}

export class EngineProcess {
  private proc?: ChildProcess;
  private out = '';
  private err = '';
  private pending?: Pending;

  constructor(
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly o: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  private start(): ChildProcess {
    if (!hooked) {
      hooked = true;
      process.on('exit', killAll);
    }
    this.out = '';
    this.err = '';
    const p = spawn(this.command, [...this.args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...this.o.env }, cwd: this.o.cwd });
    live.add(p);
    p.stdout!.setEncoding('utf8');
    p.stderr!.setEncoding('utf8');
    p.stdout!.on('data', (d: string) => {
      this.out += d;
      const w = this.pending;
      if (w && w.done(this.out)) {
        const text = this.out;
        this.out = '';
        this.pending = undefined;
        w.resolve(text);
      }
    });
    // keep the tail only: it carries the error message
    p.stderr!.on('data', (d: string) => (this.err = (this.err + d).slice(-4000)));
    p.stdin!.on('error', () => {}); // EPIPE after an exit is reported by 'close'
    const end = (e: EngineExit) => {
      live.delete(p);
      if (this.proc === p) this.proc = undefined;
      const w = this.pending;
      this.pending = undefined;
      w?.reject(e);
    };
    p.on('error', (e: NodeJS.ErrnoException) => end(new EngineExit(`cannot start ${this.command}: ${e.message}`, e)));
    p.on('close', (code, signal) => {
      const tail = (this.out + '\n' + this.err).trim().split('\n').slice(-12).join('\n');
      end(new EngineExit(`${this.command} ended (${signal ? `signal ${signal}` : `exit code ${code}`})${tail ? `:\n${tail}` : ''}`));
    });
    this.proc = p;
    return p;
  }

  /** Write `text` to the process and wait until its output since then satisfies `done`. */
  request(text: string, done: (out: string) => boolean): Promise<string> {
    if (this.pending) return Promise.reject(new Error('EngineProcess: one request at a time'));
    const p = this.proc ?? this.start();
    return new Promise((resolve, reject) => {
      this.pending = { done, resolve, reject };
      this.out = '';
      p.stdin!.write(text);
    });
  }

  /** Output received so far for the request under way (for messages). */
  get partialOutput(): string {
    return this.out;
  }

  close(): void {
    const p = this.proc;
    if (!p) return;
    this.proc = undefined;
    p.stdin!.end();
    p.kill('SIGKILL');
    live.delete(p);
  }
}

/** Kill every engine process now (signal handlers call this before exiting). */
export function killEngineProcesses(): void {
  killAll();
}
