// Bundles the example's workers with the worker process into one self-contained ESM file, the whole of
// the worker image's payload: `node scripts/bundle-worker.mjs <outdir>`.
// The Dockerfile runs it, and so does the test that runs the bundle on its own.
import path from 'node:path';
import { build } from 'esbuild';

const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: node scripts/bundle-worker.mjs <outdir>');
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, '..');
await build({
  stdin: {
    contents: `import workers from './examples/orders/orders-workers.ts';\nimport { runWorkerProcess } from 'postbox';\nprocess.exit(await runWorkerProcess(workers, process.argv.slice(2)));\n`,
    resolveDir: root,
    sourcefile: 'postbox-worker-entry.ts',
    loader: 'ts',
  },
  outfile: path.resolve(outdir, 'postbox-worker.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  // Some bundled CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});
