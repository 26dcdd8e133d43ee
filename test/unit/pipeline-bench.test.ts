import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_ROOT } from '../../bench/lambda-bundle.ts';
import { benchPipeline, PIPELINE_CONTENDERS, POSTBOX } from '../../bench/pipeline-bench.ts';

const quick = { recordCount: 50, rounds: 2, warmUpRounds: 0, settleMs: 0 };
// Inside the repository, as the bench's own: a bundle finds the AWS SDK it leaves external in node_modules.
const outDirs: string[] = [];
const outDir = () => {
  mkdirSync(path.join(BENCH_ROOT, 'bench', '.out'), { recursive: true });
  outDirs.push(mkdtempSync(path.join(BENCH_ROOT, 'bench', '.out', 'test-')));
  return outDirs.at(-1)!;
};
afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

describe('the pipeline bench', () => {
  it("measures every contender's deployed bundle and takes Postbox's ratio to each peer", async () => {
    const figures = await benchPipeline({ ...quick, outDir: outDir() });

    expect(Object.keys(figures.recordsPerSecond).sort()).toEqual(Object.keys(PIPELINE_CONTENDERS).sort());
    for (const rate of Object.values(figures.recordsPerSecond)) expect(rate).toBeGreaterThan(0);
    expect(Object.keys(figures.ratios).sort()).toEqual(Object.keys(PIPELINE_CONTENDERS).filter((name) => name !== POSTBOX).sort());
    for (const { min, median, max } of Object.values(figures.ratios)) expect(min <= median && median <= max && min > 0).toBe(true);
  }, 60_000);

  it('refuses the figures of a contender that failed records, naming it', async () => {
    const contenders = { [POSTBOX]: PIPELINE_CONTENDERS[POSTBOX]!, 'fails everything': 'test/fixtures/pipeline-contenders/failing-contender.ts' };

    await expect(benchPipeline({ ...quick, contenders, outDir: outDir() })).rejects.toThrow(/fails everything failed 50 records/);
  }, 60_000);
});
