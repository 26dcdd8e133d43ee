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
  const root = mkdtempSync(path.join(os.tmpdir(), 'faults3-pack-'));
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

describe('faults review 3: prepack / postpack', () => {
  it('FAULT: a failed npm pack leaves package.json without prepare, and the next pack ships and restores the stale manifest over later edits', () => {
    const root = packageLikeTheRepository();
    // A pack that fails after prepack: its destination does not exist, so npm cannot write the tarball, and postpack never runs.
    const failed = spawnSync('npm', ['pack', '--pack-destination', path.join(root, 'no-such-directory')], { cwd: root, encoding: 'utf8' });
    expect(failed.status).not.toBe(0);
    const leftBehind = { prepare: manifestOf(root).scripts.prepare, unpacked: existsSync(path.join(root, 'package.json.unpacked')) };

    // The developer bumps the version (writing package.json afresh, prepare included, as `git checkout package.json` and an edit would) and packs again.
    writeManifest(root, '0.2.0');
    const out = mkdtempSync(path.join(os.tmpdir(), 'faults3-packed-'));
    execFileSync('npm', ['pack', '--pack-destination', out], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    const tarball = path.join(out, 'manifest-probe-0.2.0.tgz');
    const packedManifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as { version: string };

    expect({
      // After the failed pack, the repository's package.json should still have its prepare script.
      preparedAfterFailedPack: leftBehind.prepare,
      // The tarball named 0.2.0 should hold the 0.2.0 manifest, and package.json should keep the edit.
      packedVersion: packedManifest.version,
      versionAfterPack: manifestOf(root).version,
    }).toEqual({ preparedAfterFailedPack: 'node -e "0"', packedVersion: '0.2.0', versionAfterPack: '0.2.0' });
    expect(leftBehind.unpacked).toBe(true);
  });
});
