import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A package with the repository's prepack and postpack (scripts/package-manifest.mjs, copied as it is) and a
 * `prepare`, but no build, so that `npm pack` takes a moment: the manifest's round trip is what is tested.
 */
function packageLikeTheRepository(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pack-probe-'));
  mkdirSync(path.join(root, 'scripts'));
  copyFileSync(path.resolve(import.meta.dirname, '../../scripts/package-manifest.mjs'), path.join(root, 'scripts/package-manifest.mjs'));
  writeFileSync(path.join(root, 'index.js'), 'export {};\n');
  writeManifest(root, '0.1.0');
  return root;
}

function writeManifest(root: string, version: string): void {
  const manifest = {
    name: 'manifest-probe',
    version,
    type: 'module',
    files: ['index.js'],
    scripts: {
      prepare: 'node -e "0"',
      prepack: 'node scripts/package-manifest.mjs strip',
      postpack: 'node scripts/package-manifest.mjs restore',
    },
  };
  writeFileSync(path.join(root, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

const manifestOf = (root: string) => JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string> };

describe('the packed manifest (prepack / postpack)', () => {
  it('after a pack that failed between them, brings prepare back with the edits made since, and packs the manifest as it is now', () => {
    const root = packageLikeTheRepository();
    // A pack that fails after prepack: its destination does not exist, so npm cannot write the tarball, and postpack never runs.
    const failed = spawnSync('npm', ['pack', '--pack-destination', path.join(root, 'no-such-directory')], { cwd: root, encoding: 'utf8' });
    expect(failed.status).not.toBe(0);
    expect(manifestOf(root).scripts.prepare).toBeUndefined();

    // An edit to package.json as it was left (the version), then what npm test runs first puts prepare back, keeping the edit.
    writeFileSync(path.join(root, 'package.json'), `${JSON.stringify({ ...manifestOf(root), version: '0.1.1' }, null, 2)}\n`);
    execFileSync(process.execPath, ['scripts/package-manifest.mjs', 'restore'], { cwd: root });
    expect(manifestOf(root)).toMatchObject({ version: '0.1.1', scripts: { prepare: 'node -e "0"' } });
    expect(Object.keys(manifestOf(root).scripts)).toEqual(['prepare', 'prepack', 'postpack']);
    expect(existsSync(path.join(root, 'package.json.unpacked'))).toBe(false);

    // A failed pack again, then the developer bumps the version and packs: the tarball holds the manifest as it is now.
    spawnSync('npm', ['pack', '--pack-destination', path.join(root, 'no-such-directory')], { cwd: root, encoding: 'utf8' });
    writeFileSync(path.join(root, 'package.json'), `${JSON.stringify({ ...manifestOf(root), version: '0.2.0' }, null, 2)}\n`);
    const out = mkdtempSync(path.join(os.tmpdir(), 'pack-probe-'));
    execFileSync('npm', ['pack', '--pack-destination', out], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    const packedManifest = JSON.parse(execFileSync('tar', ['-xzOf', path.join(out, 'manifest-probe-0.2.0.tgz'), 'package/package.json'], { encoding: 'utf8' })) as {
      version: string;
      scripts: Record<string, string>;
    };
    expect(packedManifest.version).toBe('0.2.0');
    expect(packedManifest.scripts.prepare).toBeUndefined();
    expect(manifestOf(root)).toMatchObject({ version: '0.2.0', scripts: { prepare: 'node -e "0"' } });
  });
});
