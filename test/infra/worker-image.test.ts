import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../../examples/orders/orders-topology.ts';
import { ConfigError } from '../../lib/config/config-error.ts';
import { MessagingStack, type MessagingStackProps } from '../../lib/infra/messaging-stack.ts';
import { parcelsTopology } from '../fixtures/parcels-service/parcels-topology.ts';

const root = path.resolve(import.meta.dirname, '../..');
const env = { account: '111111111111', region: 'eu-west-1' };
const parcels = path.join(root, 'test/fixtures/parcels-service');

/** Synthesizes a stack into a fresh cloud assembly and returns the build context of its one Docker image asset. */
function synthesizeImage(props: Omit<MessagingStackProps, 'env'>, context: Record<string, unknown> = {}, outdir = mkdtempSync(path.join(tmpdir(), 'postbox-worker-image-'))) {
  const app = new App({ outdir, context });
  const stack = new MessagingStack(app, `${props.topology.app}-${props.stage}`, { ...props, env });
  const assembly = app.synth();
  const manifest = JSON.parse(readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8'));
  const images = Object.entries(manifest.dockerImages) as Array<[string, { source: { directory: string; platform?: string } }]>;
  expect(images).toHaveLength(1);
  const [hash, { source }] = images[0]!;
  const directory = path.join(assembly.directory, source.directory);
  return { hash, platform: source.platform, directory, files: readdirSync(directory).sort(), read: (file: string) => readFileSync(path.join(directory, file), 'utf8') };
}

const parcelsStack = { topology: parcelsTopology, stage: 'staging', projectRoot: parcels, workersModule: path.join(parcels, 'parcels-workers.ts') };

describe('the worker image', () => {
  it("bundles the service's own workers module, not the example's, into the image's build context", () => {
    const image = synthesizeImage(parcelsStack);
    expect(image.platform).toBe('linux/arm64');
    expect(image.files).toEqual(['Dockerfile', 'postbox-worker.mjs', 'postbox-worker.mjs.map']);
    const sources: string[] = JSON.parse(image.read('postbox-worker.mjs.map')).sources;
    expect(sources).toContain('parcels-workers.ts');
    expect(sources.filter((source) => source.includes('examples/orders'))).toEqual([]);
    expect(image.read('postbox-worker.mjs')).toContain('label printed');
    // The workers and their runtime only: not the command line, nor the CDK that `postbox cost` loads.
    expect(sources.filter((source) => /aws-cdk-lib|lib\/cli\/|lib\/infra\/|lib\/local\//.test(source))).toEqual([]);
  });

  it("bundles the example's workers for the example's stack", () => {
    const image = synthesizeImage({ topology: ordersTopology, stage: 'dev', projectRoot: root, workersModule: path.join(root, 'examples/orders/orders-workers.ts') });
    const sources: string[] = JSON.parse(image.read('postbox-worker.mjs.map')).sources;
    expect(sources).toContain('examples/orders/orders-workers.ts');
  });

  it('copies the bundle into Node.js 24 and runs it as the node user: nothing runs inside Docker, so no arm64 emulation and no npm ci', () => {
    const dockerfile = synthesizeImage(parcelsStack).read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:24-slim$/m);
    expect(dockerfile).not.toMatch(/^RUN /m);
    expect(dockerfile).toMatch(/^COPY postbox-worker\.mjs\* \.\/$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "postbox-worker\.mjs"/m);
  });

  it('has the same asset hash in two synths of the same code, wherever the cloud assembly is', () => {
    const nested = path.join(mkdtempSync(path.join(tmpdir(), 'postbox-worker-image-')), 'deeper', 'cdk.out');
    expect(synthesizeImage(parcelsStack).hash).toBe(synthesizeImage(parcelsStack, {}, nested).hash);
  });

  it('refuses to synthesize a topology with workers but no workers module, naming the config field', () => {
    const { workersModule: _none, ...withoutWorkers } = parcelsStack;
    expect(() => synthesizeImage(withoutWorkers)).toThrowError(ConfigError);
    expect(() => synthesizeImage(withoutWorkers)).toThrowError(
      "stack parcels-staging: topology 'parcels' has worker queues (tracking, label-print) but no workers module for its worker image; set `workers` in postbox.config.ts",
    );
  });

  it('refuses a workers module that does not exist, saying which', () => {
    expect(() => synthesizeImage({ ...parcelsStack, workersModule: path.join(parcels, 'missing-workers.ts') })).toThrowError(
      `the workers module ${path.join(parcels, 'missing-workers.ts')} does not exist`,
    );
  });

  it('stages the Dockerfile alone when bundling is skipped (cdk destroy, a stack left out by -e): no module needed', () => {
    const { workersModule: _none, ...withoutWorkers } = parcelsStack;
    expect(synthesizeImage(withoutWorkers, { 'aws:cdk:bundling-stacks': [] }).files).toEqual(['Dockerfile']);
  });
});
