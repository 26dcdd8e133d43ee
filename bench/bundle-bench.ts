import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Metafile } from 'esbuild';
import { BENCH_ROOT as root, bundleAsDeployed } from './lambda-bundle.ts';
import { median, spread, type Spread } from './spread.ts';

const outDir = path.join(root, 'bench', '.out');

/** What a bundle is made of, so that growth shows where it came from. */
export type BundlePart = 'Postbox' | 'zod' | 'middy' | 'other';

export interface BundleFigures {
  readonly bytes: Record<string, number>;
  /** Bytes of each bundle by where its code came from (esbuild's metafile). */
  readonly parts: Record<string, Record<BundlePart, number>>;
  /** Median module init of each bundle. */
  readonly initMs: Record<string, number>;
  /** Init of every cold start, by bundle; the i-th of each from the same round. */
  readonly initSamples: Record<string, number[]>;
}

/**
 * Bundles each handler as the LambdaConsumer construct does (esbuild, minified
 * ESM for Node 24, the AWS SDK left to the runtime) and times its module
 * initialization in fresh Node processes, with `environment` as a deployed function has it: `starts` rounds, each loading every
 * bundle once in an order rotated from round to round, so that a busy spell
 * of the machine falls on all of them alike.
 */
export async function benchBundles(entries: Record<string, string>, starts = 9, environment: Record<string, string> = {}): Promise<BundleFigures> {
  mkdirSync(outDir, { recursive: true });
  const bytes: Record<string, number> = {};
  const parts: Record<string, Record<BundlePart, number>> = {};
  const outfiles: Record<string, string> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const outfile = path.join(outDir, `${path.basename(entry, '.ts')}.mjs`);
    const metafile = await bundleAsDeployed(entry, outfile);
    bytes[name] = statSync(outfile).size;
    parts[name] = partsOf(metafile, path.relative(process.cwd(), outfile));
    outfiles[name] = outfile;
  }
  const names = Object.keys(entries);
  const initSamples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < starts; round++) {
    for (let turn = 0; turn < names.length; turn++) {
      const name = names[(round + turn) % names.length]!;
      initSamples[name]!.push(coldInitMs(outfiles[name]!, environment));
    }
  }
  const initMs = Object.fromEntries(names.map((name) => [name, median(initSamples[name]!)]));
  return { bytes, parts, initMs, initSamples };
}

/** `ours` init over `peer`'s, round by round. */
export function initRatio(figures: BundleFigures, ours: string, peer: string): Spread {
  const peerSamples = figures.initSamples[peer]!;
  return spread(figures.initSamples[ours]!.map((ms, round) => ms / peerSamples[round]!));
}

/**
 * What the Lambda Node.js runtime has loaded before it imports the handler: its runtime API client takes `http`
 * (and with it `net` and `stream`) in `run()` before `UserFunction.load` (aws-lambda-ric 3.3.0, dist/index.mjs).
 * Loaded here before the clock starts, so that no bundle is charged for modules a cold start has already paid for.
 */
const RUNTIME_PRELOADED = ['node:http', 'node:net', 'node:fs', 'node:path', 'node:util', 'node:module', 'node:assert'];

/** Module init of a bundle in a fresh Node process, as a Lambda cold start pays it. */
function coldInitMs(outfile: string, environment: Record<string, string>): number {
  const preload = RUNTIME_PRELOADED.map((name) => `await import(${JSON.stringify(name)});`).join(' ');
  const script = `${preload} const t = performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now() - t);`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, POSTBOX_STAGE: 'bench', AWS_REGION: 'us-east-1', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1', ...environment },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return Number(output.trim());
}

function partsOf(metafile: Metafile, outfile: string): Record<BundlePart, number> {
  const parts: Record<BundlePart, number> = { Postbox: 0, zod: 0, middy: 0, other: 0 };
  const output = metafile.outputs[outfile] ?? Object.values(metafile.outputs)[0]!;
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) parts[partOf(input)] += bytesInOutput;
  return parts;
}

function partOf(input: string): BundlePart {
  if (input.includes('node_modules/zod/')) return 'zod';
  if (input.includes('node_modules/@middy/')) return 'middy';
  if (input.startsWith('lib/') || input.includes('node_modules/postbox/')) return 'Postbox';
  return 'other';
}
