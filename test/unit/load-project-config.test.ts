import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProjectConfig, loadWorkers } from '../../lib/config/load-project-config.ts';

const directory = mkdtempSync(path.join(os.tmpdir(), 'postbox-config-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const topologyModule = (app: string) => `
import * as z from 'zod';
import { defineTopology } from 'postbox';
export default defineTopology({
  app: '${app}',
  events: { 'parcel.sent': { schema: z.object({ id: z.string() }) } },
  topics: { parcels: { events: ['parcel.sent'] } },
  subscribers: { tracking: { topic: 'parcels', events: ['parcel.sent'], handler: { kind: 'worker' } } },
});
`;
const workersModule = (topologyFile: string) => `
import { defineWorkers } from 'postbox';
import topology from './${topologyFile}';
export default defineWorkers(topology, { tracking: { handlers: { 'parcel.sent': () => undefined } } });
`;

/** A project in its own directory: postbox.config.ts, two topology modules, and a workers module of one of them. */
function project(name: string, workersOf: string): string {
  const root = path.join(directory, name);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root);
  writeFileSync(path.join(root, 'topology.ts'), topologyModule('parcels'));
  writeFileSync(path.join(root, 'older-topology.ts'), topologyModule('parcels'));
  writeFileSync(path.join(root, 'workers.ts'), workersModule(workersOf));
  writeFileSync(path.join(root, 'postbox.config.ts'), "export default { topology: './topology.ts', workers: './workers.ts' };\n");
  return root;
}

describe('loadWorkers', () => {
  it("loads the workers of the config's own topology", async () => {
    const config = await loadProjectConfig({ cwd: project('same', 'topology.ts') });
    expect(Object.keys((await loadWorkers(config))!.queues)).toEqual(['tracking']);
  });

  it('refuses workers defined for another topology object than the config names, which the worker image would run by', async () => {
    const config = await loadProjectConfig({ cwd: project('other', 'older-topology.ts') });
    await expect(loadWorkers(config)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/workers\.ts defines workers for topology 'parcels', not the one .*postbox\.config\.ts names/),
    });
  });
});
