import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;

/** A copy of the install script in an empty project, with stand-ins for python3 and mvn that log their calls. */
function sandbox() {
  const root = mkdtempSync(path.join(tmpdir(), 'postbox-install-'));
  mkdirSync(path.join(root, 'scripts'));
  copyFileSync('scripts/install-emulator.sh', path.join(root, 'scripts/install-emulator.sh'));
  const bin = path.join(root, 'fake-bin');
  mkdirSync(bin);
  const log = path.join(root, 'calls.log');
  const tool = (name: string, body: string) => {
    writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\necho ${name} >> ${log}\n${body}\n`);
    chmodSync(path.join(bin, name), 0o755);
  };
  // `python3 -m venv DIR` makes a venv whose pip installs a moto_server.
  tool('python3', `if [ "$1" = -m ]; then mkdir -p "$3/bin"; printf "#!/usr/bin/env bash\\necho pip >> ${log}\\ntouch $3/bin/moto_server; chmod +x $3/bin/moto_server\\n" > "$3/bin/pip"; chmod +x "$3/bin/pip"; fi`);
  tool('mvn', 'exit 0');
  const run = (command: string, env: Record<string, string> = {}) => {
    const { POSTBOX_EMULATOR: _emulator, ...base } = process.env;
    const result = spawnSync('sh', ['-c', command], { cwd: root, encoding: 'utf8', env: { ...base, ...env, PATH: `${bin}:${process.env.PATH}` } });
    return { status: result.status, calls: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [], stderr: result.stderr };
  };
  return { run };
}

describe('installing the emulators', () => {
  it('npm start (prestart) installs nothing for the default emulator, fauxqs: no Python, no Maven', () => {
    const result = sandbox().run(scripts.prestart!);
    expect(result).toMatchObject({ status: 0, calls: [] });
  });

  it('npm start with POSTBOX_EMULATOR=moto installs moto only, never ElasticMQ', () => {
    const result = sandbox().run(scripts.prestart!, { POSTBOX_EMULATOR: 'moto' });
    expect(result.stderr).toBe('');
    // moto, then cfn-lint into its venv.
    expect(result).toMatchObject({ status: 0, calls: ['python3', 'pip', 'pip'] });
  });

  it('npm test (emulator:install) installs everything the suite needs: moto and ElasticMQ', () => {
    const result = sandbox().run(scripts['emulator:install']!);
    expect(result).toMatchObject({ status: 0, calls: ['python3', 'pip', 'pip', 'mvn'] });
    expect(scripts.pretest).toContain('npm run emulator:install');
  });

  it('refuses an argument it does not know with one line', () => {
    const result = sandbox().run('bash scripts/install-emulator.sh maven');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe("install-emulator: unknown argument 'maven'; use all, moto, elasticmq or start.\n");
  });
});
