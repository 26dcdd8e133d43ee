import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `postbox init` needs to know of the postbox package it runs from. */
export interface PostboxPackage {
  /** Directory of postbox's package.json. */
  readonly root: string;
  readonly version: string;
  /** Every version postbox pins: its dependencies, peer and dev dependencies. */
  readonly versions: Readonly<Record<string, string>>;
}

interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

function readPackageJson(file: string): PackageJson {
  return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
}

/** The postbox package this code runs from (lib/ in its repository, dist/ installed): the package.json above it. */
export function postboxPackage(from: string = path.dirname(fileURLToPath(import.meta.url))): PostboxPackage {
  for (let directory = from; ; directory = path.dirname(directory)) {
    const file = path.join(directory, 'package.json');
    if (existsSync(file)) {
      const json = readPackageJson(file);
      if (json.name === 'postbox') {
        // Peer ranges first, so that the exact pins of dependencies and devDependencies win.
        const versions = { ...json.peerDependencies, ...json.devDependencies, ...json.dependencies };
        return { root: directory, version: json.version ?? '0.0.0', versions };
      }
    }
    if (path.dirname(directory) === directory) throw new Error(`no package.json of postbox above ${from}`);
  }
}

/**
 * How a new service depends on this postbox: installed in a project's node_modules, the spec that project used
 * (a `file:` spec made absolute, so it holds from the new directory too), else this version from the registry;
 * run from its own checkout, `file:` that checkout.
 */
export function postboxDependencySpec(postbox: Pick<PostboxPackage, 'root' | 'version'>): string {
  const segments = postbox.root.split(path.sep);
  const nodeModules = segments.lastIndexOf('node_modules');
  if (nodeModules < 0) return `file:${postbox.root}`;
  const project = segments.slice(0, nodeModules).join(path.sep) || path.sep;
  const file = path.join(project, 'package.json');
  const json = existsSync(file) ? readPackageJson(file) : {};
  const spec = json.dependencies?.postbox ?? json.devDependencies?.postbox;
  if (!spec) return `^${postbox.version}`;
  return spec.startsWith('file:') ? `file:${path.resolve(project, spec.slice('file:'.length))}` : spec;
}
