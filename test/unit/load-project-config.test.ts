import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../lib/topology/config-keys.ts';
import { loadProjectConfig, loadWorkers } from '../../lib/config/load-project-config.ts';
import { postboxConfigSchema } from '../../lib/config/postbox-config.ts';

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

/** A directory holding the given files, named as given. */
function files(name: string, contents: Record<string, string>): string {
  const root = path.join(directory, name);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root);
  for (const [file, text] of Object.entries(contents)) writeFileSync(path.join(root, file), text);
  return root;
}

describe('loadProjectConfig of a config that cannot be loaded', () => {
  it('says in one line which file has a syntax error, and where', async () => {
    const root = files('syntax', { 'postbox.config.ts': "export default {\n  topology: './topology.ts',,\n};\n" });
    const file = path.join(root, 'postbox.config.ts');
    await expect(loadProjectConfig({ cwd: root })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: `cannot load ${file}: syntax error at line 2, column 29: Expected identifier but found ","`,
    });
  });

  it('names the module the config imports when the syntax error is there', async () => {
    const root = files('imported', {
      'postbox.config.ts': "import { topology } from './settings.ts';\nexport default { topology };\n",
      'settings.ts': 'export const topology = ;\n',
    });
    await expect(loadProjectConfig({ cwd: root })).rejects.toMatchObject({
      message: `cannot load ${path.join(root, 'postbox.config.ts')}: syntax error at ${path.join(root, 'settings.ts')}:1:25: Unexpected ";"`,
    });
  });

  it('keeps an error the config throws to one line, with its kind', async () => {
    const throwing = files('throwing', { 'postbox.config.ts': "throw new TypeError('no topology\\n  set TOPOLOGY');\n" });
    await expect(loadProjectConfig({ cwd: throwing })).rejects.toMatchObject({
      message: `cannot load ${path.join(throwing, 'postbox.config.ts')}: TypeError: no topology set TOPOLOGY`,
    });
  });

  it('says in one line which topology module has a syntax error', async () => {
    const root = files('topology-syntax', { 'postbox.config.ts': "export default { topology: './topology.ts' };\n", 'topology.ts': 'export default {\n' });
    await expect(loadProjectConfig({ cwd: root })).rejects.toMatchObject({
      message: 'cannot load the topology from ./topology.ts: syntax error at line 2, column 1: Expected identifier but found end of file',
    });
  });
});

describe('postbox with a config that has a syntax error', () => {
  it('prints exactly one line on stderr naming the file and the problem, and exits 2', () => {
    const root = files('cli', { 'postbox.config.ts': "export default {\n  topology: './topology.ts',,\n};\n" });
    const file = path.join(root, 'postbox.config.ts');
    const result = spawnSync(process.execPath, ['bin/postbox.mjs', '--config', file, 'status'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      timeout: 30_000,
    });
    expect(result.stderr).toBe(`postbox: cannot load ${file}: syntax error at line 2, column 29: Expected identifier but found ","\n`);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
  });

  it('says so in one line for a JavaScript config too, whose syntax errors Node reports without a place', () => {
    const root = files('cli-javascript', { 'postbox.config.mjs': "export default { topology: './topology.ts',, };\n" });
    const file = path.join(root, 'postbox.config.mjs');
    const result = spawnSync(process.execPath, ['bin/postbox.mjs', '--config', file, 'status'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      timeout: 30_000,
    });
    expect(result.stderr).toBe(`postbox: cannot load ${file}: syntax error: Unexpected token ','\n`);
    expect(result.status).toBe(2);
  });
});

describe('a config key it does not know', () => {
  it('is refused with the keys the config takes, and a key of the topology is told where it belongs', async () => {
    const root = project('misspelt', 'topology.ts');
    writeFileSync(path.join(root, 'postbox.config.ts'), "export default { topology: './topology.ts', stackgroups: 3, subscribers: {}, stages: { deploy: 'prod' } };\n");

    const error = (await loadProjectConfig({ cwd: root }).then(() => undefined, (caught: unknown) => caught)) as Error;

    expect(error.message).toBe(
      `${path.join(root, 'postbox.config.ts')} is invalid: stages: Unrecognized key: "deploy"; it takes local, deployed, profiles; ` +
        'Unrecognized keys: "stackgroups", "subscribers" ("subscribers" is a key of the topology (its module is `topology`)); ' +
        'it takes topology, workers, stages, alarmEmail, cdkNag, outbox, schedules, stackGroups, dev',
    );
  });

  it('is listed for the topology as the config schema has it', () => {
    expect([...CONFIG_KEYS]).toEqual(Object.keys(postboxConfigSchema.shape));
  });
});
