import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { postboxDependencySpec, postboxPackage } from '../../lib/init/postbox-package.ts';

const temporary: string[] = [];
afterEach(() => {
  for (const directory of temporary.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** A project with postbox installed in its node_modules, its package.json depending on postbox as `spec`. */
function projectWithPostbox(spec?: string): { project: string; root: string } {
  const project = mkdtempSync(path.join(os.tmpdir(), 'postbox-spec-'));
  temporary.push(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', ...(spec && { dependencies: { postbox: spec } }) }));
  const root = path.join(project, 'node_modules', 'postbox');
  mkdirSync(root, { recursive: true });
  return { project, root };
}

describe('postboxDependencySpec', () => {
  it("makes the installing project's file: spec absolute, so that it holds from the new service's directory", () => {
    const { project, root } = projectWithPostbox('file:../packs/postbox-0.1.0.tgz');

    expect(postboxDependencySpec({ root, version: '0.1.0' })).toBe(`file:${path.resolve(project, '../packs/postbox-0.1.0.tgz')}`);
  });

  it("keeps the installing project's registry spec as it is", () => {
    const { root } = projectWithPostbox('^0.1.0');

    expect(postboxDependencySpec({ root, version: '0.1.0' })).toBe('^0.1.0');
  });

  it('asks the registry for this version when the installing project names no postbox (npx)', () => {
    const { root } = projectWithPostbox();

    expect(postboxDependencySpec({ root, version: '0.3.1' })).toBe('^0.3.1');
  });

  it('points at the checkout itself when postbox runs from its repository', () => {
    expect(postboxDependencySpec({ root: '/src/postbox', version: '0.1.0' })).toBe('file:/src/postbox');
  });
});

describe('postboxPackage', () => {
  it("finds postbox's own package.json above its code, with the versions it pins", () => {
    const postbox = postboxPackage();

    expect(path.join(postbox.root, 'lib')).toBe(path.resolve(import.meta.dirname, '../../lib'));
    expect(postbox.versions.typescript).toMatch(/^\d+\.\d+\.\d+$/);
    expect(postbox.versions['aws-cdk-lib']).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
