import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { ConfigError } from '../config/config-error.ts';
import { PostboxError } from '../postbox-error.ts';

/** The worker image's one program: the service's workers and the worker process, bundled. */
export const WORKER_BUNDLE_FILE = 'postbox-worker.mjs';

/**
 * The worker image: Node.js 24 and the bundle, nothing else. No step runs inside Docker (no npm ci, no
 * build), so an x86 machine builds the arm64 image without emulating arm64. The task definition's command
 * (see WorkerService) adds the health port and the shutdown grace to the CMD here.
 */
export const WORKER_DOCKERFILE = `FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production NODE_OPTIONS=--enable-source-maps
COPY ${WORKER_BUNDLE_FILE}* ./
USER node
EXPOSE 8080
CMD ["node", "${WORKER_BUNDLE_FILE}", "--health-port", "8080"]
`;

/** esbuild could not bundle the workers module (a syntax error, an import that does not resolve). */
export class WorkerBundleError extends PostboxError {
  readonly code = 'WORKER_BUNDLE_FAILED';
}

export interface WorkerImageOptions {
  /**
   * Module whose default export is `defineWorkers(topology, { ... })` (the config's `workers`).
   * @default none: only the Dockerfile is written, for a stack whose bundling is skipped (`cdk destroy`, `cdk synth -e` of another stack)
   */
  readonly workersModule?: string;
  /**
   * The topology's module (`file.ts` or `file.ts#name`), run alone when no workers module is given: a topology whose
   * worker queues are all of kind http, which the topology says how to run.
   * @default none
   */
  readonly topologyModule?: string;
  /** Where the entry's imports resolve from: `postbox` is the project's node_modules/postbox (or its tsconfig `paths`). */
  readonly projectRoot: string;
}

/**
 * Writes the build context of the worker image into `directory` (emptied first): the Dockerfile, and the
 * workers module bundled with the worker process by esbuild into one ESM file with its source map. The
 * output depends only on the code, never on `directory`, so the image asset's hash is stable between
 * synths. Returns `directory`.
 */
export function writeWorkerImage(directory: string, options: WorkerImageOptions): string {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  writeFileSync(path.join(directory, 'Dockerfile'), WORKER_DOCKERFILE);
  const entry = entryOf(options);
  if (entry === undefined) return directory;
  let result: ReturnType<typeof buildSync>;
  try {
    result = bundle(entry.contents, options.projectRoot);
  } catch (error) {
    throw new WorkerBundleError(
      `cannot bundle the worker image from ${entry.module}: ${(error as Error).message}; check that it and its imports resolve from ${options.projectRoot}`,
      { cause: error },
    );
  }
  for (const file of result.outputFiles ?? []) writeFileSync(path.join(directory, path.basename(file.path)), file.contents);
  return directory;
}

/** The image's entry: the workers module's workers, or the topology module's topology alone. */
function entryOf(options: WorkerImageOptions): { readonly module: string; readonly contents: string } | undefined {
  const given = options.workersModule ?? options.topologyModule;
  if (given === undefined) return undefined;
  const [file, exportName] = given.split('#');
  const module = path.resolve(options.projectRoot, file!);
  if (!existsSync(module)) {
    throw new ConfigError('CONFIG_INVALID', options.workersModule === undefined
      ? `the topology module ${module} does not exist; set \`topology\` in postbox.config.ts to the module that exports defineTopology(...)`
      : `the workers module ${module} does not exist; set \`workers\` in postbox.config.ts to the module that exports default defineWorkers(...)`);
  }
  const specifier = JSON.stringify(module.split(path.sep).join('/'));
  const run = (workers: string) => `process.exit(await runWorkerProcess(${workers}, process.argv.slice(2)));`;
  if (options.workersModule !== undefined) return { module, contents: [`import workers from ${specifier};`, `import { runWorkerProcess } from 'postbox/worker';`, run('workers')].join('\n') };
  // Named by its path from the project root in the topology's errors: the bundle never depends on where the project is.
  const reference = JSON.stringify(path.relative(options.projectRoot, module).split(path.sep).join('/'));
  return {
    module,
    contents: [
      `import * as topologyModule from ${specifier};`,
      `import { runWorkerProcess, topologyOfModule, workersOfTopology } from 'postbox/worker';`,
      run(`workersOfTopology(topologyOfModule(topologyModule, ${reference}${exportName ? `, ${JSON.stringify(exportName)}` : ''}))`),
    ].join('\n'),
  };
}

function bundle(contents: string, projectRoot: string) {
  return buildSync({
    stdin: {
      contents,
      resolveDir: projectRoot,
      sourcefile: 'postbox-worker-entry.ts',
      loader: 'ts',
    },
    // Not written there: built in memory as if in the project root, so the source map's paths are the
    // project's relative paths wherever the bundle goes.
    outfile: path.join(projectRoot, WORKER_BUNDLE_FILE),
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    // Errors are named after their classes (PostboxError sets name = new.target.name).
    keepNames: true,
    sourcemap: true,
    logLevel: 'silent',
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
}
