import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintTemplate } from '../helpers/cfn-lint.ts';

// The package as a user gets it: packed, installed from the tarball into a fresh project, its `postbox init`
// scaffold tested, synthesized and run. Slow (two installs from the npm cache): it runs once, in its own project.
const repository = path.resolve(import.meta.dirname, '../..');
const rootPackage = JSON.parse(readFileSync(path.join(repository, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const pinned: Record<string, string> = { ...rootPackage.dependencies, ...rootPackage.devDependencies };
// npm answers from its cache; the user's npm config may say otherwise, not this test's.
const npmEnv = { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = npmEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function expectSuccess(result: Run, what: string): void {
  expect(result.code, `${what} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
}

/** What a command wrote to stderr, without npm's own warnings about this machine's npm config. */
function errorLines(result: Run): string[] {
  return result.stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('npm warn'));
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !path.join(entry.parentPath, entry.name).includes(`${path.sep}node_modules${path.sep}`))
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)));
}

let temporary: string;
let tarball: string;
let packedFiles: string[];
let consumer: string;
let service: string;
let devServer: ChildProcess | undefined;
let installOutput: string;

beforeAll(async () => {
  temporary = mkdtempSync(path.join(os.tmpdir(), 'postbox-package-'));
  const packs = path.join(temporary, 'packs');
  mkdirSync(packs);
  const packed = await run('npm', ['pack', '--json', '--pack-destination', packs], repository);
  expectSuccess(packed, 'npm pack');
  const [report] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(packs, report!.filename);
  packedFiles = report!.files.map((file) => file.path);

  consumer = path.join(temporary, 'consumer');
  mkdirSync(consumer);
  writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const tools = ['typescript', '@types/node', 'zod'].map((name) => `${name}@${pinned[name]}`);
  const installed = await run('npm', ['install', tarball, ...tools], consumer);
  expectSuccess(installed, 'npm install of the tarball');
  installOutput = `${installed.stdout}${installed.stderr}`;
  service = path.join(consumer, 'svc');
});

afterAll(() => {
  try {
    if (devServer?.pid && devServer.exitCode === null) process.kill(-devServer.pid, 'SIGKILL');
  } catch {
    // Its group has gone already (the exit event not yet delivered).
  }
  if (temporary) rmSync(temporary, { recursive: true, force: true });
});

describe('the packed postbox package', () => {
  it('holds the built entries, the command and the templates, and no source', () => {
    for (const file of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cdk.js',
      'dist/testing.d.ts',
      'dist/local/fauxqs-main.mjs',
      'dist/runtime/publishing/outbox/outbox-relay-entry.js',
      'dist/local/console/console.html',
      'dist/local/console/console-page.js',
      'dist/local/console/console-journey.js',
      'dist/local/console/console-actions.js',
      'bin/postbox.mjs',
      'templates/service/postbox.config.ts',
      // The guides the README links, and the emulator installer the scaffold's emulator:install runs.
      'docs/idempotency.md',
      'docs/outbox.md',
      'docs/large-payloads.md',
      // The picture the README shows.
      'lib/local/console/screenshot.png',
      'lib/local/console/journey.png',
      'scripts/install-emulator.sh',
    ]) {
      expect(packedFiles, file).toContain(file);
    }
    expect(
      packedFiles.filter((file) => !/^(dist|templates|docs)\//.test(file) && !['bin/postbox.mjs', 'package.json', 'README.md', 'CHANGELOG.md', 'lib/local/console/screenshot.png', 'lib/local/console/journey.png', 'scripts/install-emulator.sh'].includes(file)),
    ).toEqual([]);
  });

  it('installs without asking anyone to approve a build: the packed manifest has no prepare script, the repository keeps it', () => {
    expect(installOutput).not.toMatch(/postbox@[^ ]* \(prepare/);
    const packedManifest = JSON.parse(readFileSync(path.join(consumer, 'node_modules/postbox/package.json'), 'utf8'));
    expect(packedManifest.scripts.prepare).toBeUndefined();
    expect(JSON.parse(readFileSync(path.join(repository, 'package.json'), 'utf8')).scripts.prepare).toBe('npm run build');
  });

  it.each([
    ['bundler', 'preserve'],
    ['nodenext', 'nodenext'],
  ])('type-checks a file importing postbox, postbox/cdk and postbox/testing with moduleResolution %s', async (moduleResolution, module) => {
    writeFileSync(
      path.join(consumer, 'entries.ts'),
      [
        "import * as z from 'zod';",
        "import { defineTopology, Publisher, type MessageHandlers } from 'postbox';",
        "import { MessagingStack } from 'postbox/cdk';",
        "import { startTestSystem } from 'postbox/testing';",
        "const topology = defineTopology({ app: 'shop', events: { 'sale.made': { schema: z.object({ id: z.string() }) } }, topics: { sales: { events: ['sale.made'] } } });",
        "const publisher = new Publisher(topology, { stage: 'dev', source: 'till' });",
        "export const sale = () => publisher.publish('sale.made', { id: 's-1' });",
        '// @ts-expect-error the schema wants a string id',
        "export const wrong = () => publisher.publish('sale.made', { id: 1 });",
        'export const handlers: MessageHandlers<typeof topology> = {};',
        'export { MessagingStack, startTestSystem };',
        '',
      ].join('\n'),
    );
    const tsc = path.join(consumer, 'node_modules/typescript/bin/tsc');
    const options = ['--noEmit', '--strict', '--target', 'es2022', '--types', 'node', '--module', module, '--moduleResolution', moduleResolution, 'entries.ts'];
    expectSuccess(await run(process.execPath, [tsc, ...options], consumer), `tsc (${moduleResolution})`);
  });

  it("postbox init scaffolds a service that depends on the tarball and imports nothing under postbox's lib/", async () => {
    expectSuccess(await run('npx', ['postbox', 'init', 'svc'], consumer), 'postbox init svc');

    const json = JSON.parse(readFileSync(path.join(service, 'package.json'), 'utf8'));
    expect(json.dependencies.postbox).toBe(`file:${tarball}`);
    expect(existsSync(path.join(service, 'node_modules/postbox/dist/index.js'))).toBe(true);
    for (const file of filesUnder(service)) {
      expect(readFileSync(path.join(service, file), 'utf8'), file).not.toMatch(/from ['"][^'"]*\blib\//);
    }
  });

  it('postbox init refuses a non-empty directory and a bad name with one line and exit 2', async () => {
    const again = await run('npx', ['postbox', 'init', 'svc', '--no-install'], consumer);
    expect(again.code).toBe(2);
    expect(errorLines(again)).toEqual([`postbox: ${service} is not an empty directory; choose another with --dir, or pass --force to write into it`]);

    const bad = await run('npx', ['postbox', 'init', 'Svc_2', '--no-install'], consumer);
    expect(bad.code).toBe(2);
    expect(errorLines(bad)).toEqual([expect.stringMatching(/^postbox: 'Svc_2' cannot name a service/)]);
    expect(existsSync(path.join(consumer, 'Svc_2'))).toBe(false);
  });

  it('the scaffold type-checks', async () => {
    expectSuccess(await run('npm', ['run', 'typecheck'], service), 'npm run typecheck');
  });

  it('the scaffold passes its own npm test', async () => {
    const tested = await run('npm', ['test'], service);
    expectSuccess(tested, 'npm test');
    // Its config logs at warn: no info lines, and no CloudWatch metric lines, for messages handled as they should be.
    expect(`${tested.stdout}${tested.stderr}`).not.toMatch(/"_aws"|"level":"info"/);
  });

  it("on the oldest Node.js its engines claim the scaffold passes its npm test; on the release before, postbox says in one line what to install", async () => {
    const engines = JSON.parse(readFileSync(path.join(service, 'node_modules/postbox/package.json'), 'utf8')).engines.node as string;
    const oldest = `${/^>=(\d+\.\d+)$/.exec(engines)![1]}.0`;
    // The 22.x release just before the oldest claimed; refused, it proves the claim is not looser than the check.
    const before = '22.17.1';
    const onNode = async (version: string) => {
      const nodeBin = (await run('bash', [path.join(repository, 'scripts/node-path.sh'), '--exact', version], repository)).stdout.trim();
      return { ...npmEnv, PATH: `${nodeBin}${path.delimiter}${process.env.PATH}` };
    };
    const onOldest = await onNode(oldest);
    expect((await run('node', ['--version'], service, onOldest)).stdout.trim()).toBe(`v${oldest}`);
    expectSuccess(await run('npm', ['test'], service, onOldest), `npm test on Node.js ${oldest}`);

    const refused = await run('npx', ['postbox', '--version'], service, await onNode(before));
    expect(refused.code).toBe(4);
    expect(errorLines(refused)).toEqual([`postbox: Postbox needs Node.js ${oldest.replace(/\.0$/, '')} or later, and this is ${before}; install Node.js 24 (what Postbox is tested on), e.g. 'nvm install 24'`]);
  });

  it('the scaffold synthesizes with npx cdk synth, its worker image included, into a template cfn-lint passes', async () => {
    expectSuccess(await run('npx', ['cdk', 'synth', '--quiet'], service), 'npx cdk synth');
    const templatePath = path.join(service, 'cdk.out/svc-dev.template.json');
    const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources: Record<string, { Type: string }> };
    const types = Object.values(template.Resources).map((resource) => resource.Type);
    expect(types).toContain('AWS::SNS::Topic');
    expect(types).toContain('AWS::ECS::TaskDefinition');
    expect(types.filter((type) => type === 'AWS::Lambda::Function').length).toBeGreaterThanOrEqual(2);
    expect((await lintTemplate(templatePath)).blocking).toEqual([]);
  });

  it('npm start brings the service up with its console, and Ctrl-C stops it', async () => {
    // detached: the server leads its own process group, as a terminal's foreground job does; Ctrl-C goes to the group.
    const server = spawn('npm', ['start', '--', '--console-port', '0', '--quiet'], { cwd: service, env: npmEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    devServer = server;
    let output = '';
    const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    const consoleUrl = await new Promise<string>((resolve, reject) => {
      const seen = (chunk: Buffer) => {
        output += chunk.toString();
        const url = /Console: (http\S+)/.exec(output)?.[1];
        if (url) resolve(url);
      };
      server.stdout!.on('data', seen);
      server.stderr!.on('data', seen);
      void exited.then((code) => reject(new Error(`npm start exited (${code}) before printing the console's address:\n${output}`)));
    });

    expect((await fetch(consoleUrl)).status).toBe(200);
    // The page's script is in the package; the charts' library comes from the installed dependency, not from the network.
    for (const script of ['/console-page.js', '/uplot.js']) {
      const served = await fetch(new URL(script, consoleUrl));
      expect([script, served.status, served.headers.get('content-type')]).toEqual([script, 200, 'text/javascript; charset=utf-8']);
    }
    // The scaffold keeps nothing in DynamoDB (no idempotency, no unique jobs): no warning that the emulator lacks it.
    expect(output).not.toContain('the emulator has no DynamoDB');

    process.kill(-server.pid!, 'SIGINT');
    await exited;
    expect(output).toContain('Stopped');
  });
});
