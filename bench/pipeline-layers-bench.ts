import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PipelineLayers } from './fixtures/pipeline/pipeline-layers.ts';
import { BENCH_ROOT, bundleAsDeployed } from './lambda-bundle.ts';

export { LAYER_DESCRIPTIONS, type Layer, type PipelineLayers } from './fixtures/pipeline/pipeline-layers.ts';

/**
 * Where a record's time goes (bench/fixtures/pipeline/pipeline-layers.ts), measured as the pipeline bench measures
 * its contenders: the code bundled as LambdaConsumer bundles a function, in a process of its own.
 */
export async function benchPipelineLayers(): Promise<PipelineLayers> {
  const outDir = path.join(BENCH_ROOT, 'bench', '.out', 'pipeline');
  mkdirSync(outDir, { recursive: true });
  const bundle = path.join(outDir, 'pipeline-layers.mjs');
  await bundleAsDeployed('bench/fixtures/pipeline/pipeline-layers.ts', bundle);
  const script = `const { measurePipelineLayers } = await import(${JSON.stringify(bundle)}); console.log(JSON.stringify(await measurePipelineLayers()));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: BENCH_ROOT, encoding: 'utf8' });
  return JSON.parse(stdout) as PipelineLayers;
}
