import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../lib/cli/postbox-cli.ts';

const rootPackage = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

const temporary: string[] = [];
function emptyDirectory(): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'postbox-init-'));
  temporary.push(directory);
  return directory;
}
afterEach(() => {
  for (const directory of temporary.splice(0)) rmSync(directory, { recursive: true, force: true });
});

async function init(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['init', ...args], { out: (text) => out.push(text), err: (text) => err.push(text), interactive: false });
  return { code, out, err };
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)));
}

describe('postbox init', () => {
  it('scaffolds a service whose package.json pins the tools at the versions postbox is built with', async () => {
    const directory = path.join(emptyDirectory(), 'svc');

    const { code, err } = await init(['payments', '--dir', directory, '--no-install', '--postbox', 'file:/somewhere/postbox.tgz']);

    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(filesUnder(directory).sort()).toEqual(
      [
        '.gitignore',
        'README.md',
        'bin/app.ts',
        'cdk.json',
        'functions/ledger.ts',
        'functions/receipt-sender.ts',
        'package.json',
        'postbox.config.ts',
        'src/service-handlers.ts',
        'src/service-topology.ts',
        'src/service-workers.ts',
        'test/service.test.ts',
        'tsconfig.json',
        'vitest.config.ts',
      ].sort(),
    );
    const json = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8'));
    expect(json).toMatchObject({
      name: 'payments',
      type: 'module',
      scripts: {
        start: 'postbox dev',
        test: 'tsc --noEmit && vitest run',
        synth: 'cdk synth',
        worker: 'postbox worker --local',
        'emulator:install': 'bash node_modules/postbox/scripts/install-emulator.sh moto',
      },
      dependencies: { postbox: 'file:/somewhere/postbox.tgz' },
    });
    const pinned = { ...rootPackage.dependencies, ...rootPackage.devDependencies };
    for (const tool of ['aws-cdk-lib', 'constructs', 'aws-cdk', 'typescript', 'tsx', 'vitest', '@types/node', 'zod']) {
      expect(json.devDependencies[tool], tool).toBe(pinned[tool]);
    }
    expect(readFileSync(path.join(directory, 'src/service-topology.ts'), 'utf8')).toContain("app: 'payments'");
  });

  it("writes a cdk.json that sets every feature flag its aws-cdk-lib recommends, as cdk init does, so synth has none to report", async () => {
    const directory = path.join(emptyDirectory(), 'svc');
    expect((await init(['svc', '--dir', directory, '--no-install'])).code).toBe(0);
    const { context } = JSON.parse(readFileSync(path.join(directory, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
    expect(context).toMatchObject(CURRENTLY_RECOMMENDED_FLAGS);
  });

  it('writes nothing that imports a path under lib/ or keeps a placeholder', async () => {
    const directory = path.join(emptyDirectory(), 'svc');
    await init(['payments', '--dir', directory, '--no-install']);

    for (const file of filesUnder(directory)) {
      const text = readFileSync(path.join(directory, file), 'utf8');
      expect(text, file).not.toMatch(/from ['"][^'"]*\blib\//);
      expect(text, file).not.toContain('{{');
    }
  });

  it('refuses a name that is not a valid app name with one line and exit 2, writing nothing', async () => {
    const parent = emptyDirectory();

    const { code, out, err } = await init(['My_Service', '--dir', path.join(parent, 'svc'), '--no-install']);

    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^postbox: 'My_Service' cannot name a service: use lower-case letters, digits and hyphens/);
    expect(readdirSync(parent)).toEqual([]);
  });

  it("refuses a name too long for its queue names to stay within SQS's 80 characters, with one line and exit 2, writing nothing", async () => {
    const parent = emptyDirectory();
    const name = 'x'.repeat(41);

    const { code, out, err } = await init([name, '--dir', path.join(parent, 'svc'), '--no-install']);

    expect({ code, out }).toEqual({ code: 2, out: [] });
    expect(err).toEqual([`postbox: '${name}' is 41 characters, over the 40 a service name may have: its longest queue name, <name>-<stage>-reports-delivery-dlq, must stay within SQS's 80 for stages of up to 17 characters`]);
    expect(readdirSync(parent)).toEqual([]);
    expect((await init(['x'.repeat(40), '--dir', path.join(parent, 'ok'), '--no-install'])).code).toBe(0);
  });

  it('refuses a directory that is not empty with one line and exit 2, unless --force', async () => {
    const directory = emptyDirectory();
    writeFileSync(path.join(directory, 'notes.txt'), 'mine');

    const refused = await init(['payments', '--dir', directory, '--no-install']);

    expect(refused.code).toBe(2);
    expect(refused.err).toEqual([`postbox: ${directory} is not an empty directory; choose another with --dir, or pass --force to write into it`]);
    expect(readdirSync(directory)).toEqual(['notes.txt']);

    const forced = await init(['payments', '--dir', directory, '--no-install', '--force']);
    expect(forced.code).toBe(0);
    expect(existsSync(path.join(directory, 'postbox.config.ts'))).toBe(true);
    expect(readFileSync(path.join(directory, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
