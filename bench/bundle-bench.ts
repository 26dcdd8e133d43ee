import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { lambdaEsbuildOptions } from '../lib/infra/lambda-bundling.ts';
import { median } from './pipeline-bench.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'bench', '.out');

export interface BundleFigures {
  readonly bytes: Record<string, number>;
  readonly initMs: Record<string, number>;
}

/**
 * Bundles a handler as the LambdaConsumer construct does (esbuild, minified
 * ESM for Node 24, the AWS SDK left to the runtime) and times its module
 * initialization in fresh Node processes.
 */
export async function benchBundles(entries: Record<string, string>, starts = 7): Promise<BundleFigures> {
  mkdirSync(outDir, { recursive: true });
  const bytes: Record<string, number> = {};
  const initMs: Record<string, number> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const outfile = path.join(outDir, `${path.basename(entry, '.ts')}.mjs`);
    await build({ ...lambdaEsbuildOptions, mainFields: [...lambdaEsbuildOptions.mainFields], external: [...lambdaEsbuildOptions.external], entryPoints: [path.join(root, entry)], outfile, logLevel: 'silent' });
    bytes[name] = statSync(outfile).size;
    const samples: number[] = [];
    for (let i = 0; i < starts; i++) {
      const script = `const t = performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now() - t);`;
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: root,
        env: { ...process.env, POSTBOX_STAGE: 'bench', AWS_REGION: 'us-east-1', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      samples.push(Number(output.trim()));
    }
    initMs[name] = median(samples);
  }
  return { bytes, initMs };
}
