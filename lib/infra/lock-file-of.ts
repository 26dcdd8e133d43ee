import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The package-lock.json of the project: its own, or, in an npm workspace (a service in a monorepo, as
 * examples/billing is here), the nearest one above it, where npm writes it.
 */
export function lockFileOf(projectRoot: string): string {
  for (let directory = projectRoot; ; directory = path.dirname(directory)) {
    const candidate = path.join(directory, 'package-lock.json');
    if (existsSync(candidate) || path.dirname(directory) === directory) return existsSync(candidate) ? candidate : path.join(projectRoot, 'package-lock.json');
  }
}
