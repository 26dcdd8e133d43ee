import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { lambdaEsbuildOptions } from '../lib/infra/lambda-bundling.ts';

export const BENCH_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `entry` (relative to the repository) bundled as the LambdaConsumer construct bundles a function, into `outfile`. */
export async function bundleAsDeployed(entry: string, outfile: string): Promise<Metafile> {
  const { metafile } = await build({
    ...lambdaEsbuildOptions,
    mainFields: [...lambdaEsbuildOptions.mainFields],
    external: [...lambdaEsbuildOptions.external],
    entryPoints: [path.join(BENCH_ROOT, entry)],
    outfile,
    metafile: true,
    logLevel: 'silent',
  });
  return metafile;
}
