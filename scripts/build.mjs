// Compile src/ to dist/ (one .js per .ts, same folder layout), so the CLI starts
// without transpiling TypeScript on every run. The layout is kept 1:1 so that
// every `new URL('../../…', import.meta.url)` and every file read beside a
// module (page scripts, worker entry points) resolves as it does from src/.
// Runs at `npm install` (prepare) and before `npm test`/`npm start`; < 1 s.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../', import.meta.url).pathname;
const src = join(root, 'src');
const out = join(root, 'dist');

const files = [];
(function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else files.push(p);
  }
})(src);

// Packages compiled into the module that imports them: quickhull3d's ES build imports its own
// files and gl-vec3's without extensions ('gl-vec3/dot'), which only a bundler (or tsx) resolves,
// not Node. Whole packages it imports by name ('debug') stay imports.
const INLINED_PACKAGES = ['quickhull3d'];

// Every module of src/ is its own entry; imports between them stay imports, with `.ts` → `.js`.
const imports = {
  name: 'imports-stay-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const relative = /^\.\.?\//.test(args.path);
      if (!args.importer.includes('/node_modules/')) {
        if (relative) return { path: args.path.replace(/\.ts$/, '.js'), external: true };
        return INLINED_PACKAGES.includes(args.path) ? undefined : { external: true };
      }
      // inside an inlined package: its files and extensionless subpaths are compiled in
      return relative || args.path.includes('/') ? undefined : { external: true };
    });
  },
};

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')),
  outdir: out,
  outbase: src,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [imports],
  logLevel: 'warning',
});
// Page scripts and plain-JS modules are read or imported as they are.
for (const f of files.filter((f) => f.endsWith('.js'))) {
  const to = join(out, relative(src, f));
  mkdirSync(join(to, '..'), { recursive: true });
  cpSync(f, to);
}
// The newest source file this build saw: bin/cescreen.js runs the sources instead when one is newer.
writeFileSync(join(out, 'BUILT_FROM'), String(Math.max(...files.map((f) => statSync(f).mtimeMs))) + '\n');
