/**
 * Start-up of the CLI as users run it, against Node's own start-up measured in
 * the same run: `cescreen --version` (goal < 0.3 s), `--help`, a small real
 * command, and the same through tsx (the sources transpiled at run time, as
 * before the compiled build) and through npx. Median of N runs each, wall time.
 *   node --import tsx scripts/bench-startup.ts [N]
 */
import { spawnSync } from 'node:child_process';
import { execPath } from 'node:process';

const root = new URL('../', import.meta.url).pathname;
const N = Number(process.argv[2] ?? 15);
const env = { ...process.env, CESCREEN_QUIET: '1' };

function median(command: string, args: string[]): number {
  const times: number[] = [];
  for (let k = 0; k < N; k++) {
    const t0 = performance.now();
    const r = spawnSync(command, args, { cwd: root, env, stdio: 'ignore' });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(N / 2)] / 1000;
}

spawnSync(execPath, [root + 'scripts/build.mjs'], { stdio: 'inherit' });
const node = median(execPath, ['-e', '0']);
const rows: [string, number][] = [
  ['node -e 0', node],
  ['cescreen --version', median(execPath, ['bin/cescreen.js', '--version'])],
  ['cescreen --help', median(execPath, ['bin/cescreen.js', '--help'])],
  ['cescreen structure α', median(execPath, ['bin/cescreen.js', 'structure', 'structures/alpha-Nb5Si3/structure.cif'])],
  ['tsx src/cli/main.ts --version (before)', median(execPath, ['--import', 'tsx', 'src/cli/main.ts', '--version'])],
  ['npx cescreen --version', median('npx', ['cescreen', '--version'])],
];
console.log(`median of ${N} runs, wall time (${new Date().toISOString().slice(0, 10)})`);
for (const [what, s] of rows) console.log(`${what.padEnd(40)} ${s.toFixed(3)} s  ${(s / node).toFixed(1)}× node`);
