import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyTopology } from '../messages/message-types.ts';
import { ConfigError } from './config-error.ts';
import { moduleLoadProblem } from './module-load-problem.ts';

/** Whether a module export looks like a topology declaration. */
export function isTopologyDeclaration(value: unknown): value is AnyTopology {
  return typeof value === 'object' && value !== null && 'app' in value && 'events' in value && 'topics' in value;
}

/** The topology a module exports: the named one (`#name`), else its default export, else its one export that is a topology. */
export function topologyOfModule(module: Record<string, unknown>, reference: string, exportName?: string): AnyTopology {
  if (exportName) {
    const named = module[exportName];
    if (isTopologyDeclaration(named)) return named;
    throw new ConfigError('CONFIG_INVALID', `${reference} exports no topology named '${exportName}'; name an export that defineTopology made`);
  }
  if (isTopologyDeclaration(module.default)) return module.default;
  const candidates = Object.entries(module).filter(([, value]) => isTopologyDeclaration(value));
  if (candidates.length === 1) return candidates[0]![1] as AnyTopology;
  throw new ConfigError(
    'CONFIG_INVALID',
    candidates.length === 0
      ? `${reference} exports no topology; export the one defineTopology made`
      : `${reference} exports ${candidates.length} topologies (${candidates.map(([name]) => name).join(', ')}); name one as ${reference}#name`,
  );
}

/** Loads a topology module, `file.ts` or `file.ts#exportName`, relative to `base`. */
export async function loadTopologyModule(reference: string, base = process.cwd()): Promise<AnyTopology> {
  const [file, exportName] = reference.split('#');
  const absolute = path.resolve(base, file!);
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(absolute).href);
  } catch (error) {
    throw new ConfigError('CONFIG_INVALID', `cannot load the topology from ${file}: ${moduleLoadProblem(error, absolute)}`, { cause: error });
  }
  return topologyOfModule(module, reference, exportName);
}
