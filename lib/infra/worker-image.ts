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
  if (options.workersModule === undefined) return directory;
  const workersModule = path.resolve(options.projectRoot, options.workersModule);
  if (!existsSync(workersModule)) {
    throw new ConfigError('CONFIG_INVALID', `the workers module ${workersModule} does not exist; set \`workers\` in postbox.config.ts to the module that exports default defineWorkers(...)`);
  }
  let result: ReturnType<typeof buildSync>;
  try {
    result = bundle(workersModule, options.projectRoot);
  } catch (error) {
    throw new WorkerBundleError(
      `cannot bundle the worker image from ${workersModule}: ${(error as Error).message}; check that it and its imports resolve from ${options.projectRoot}`,
      { cause: error },
    );
  }
  for (const file of result.outputFiles ?? []) writeFileSync(path.join(directory, path.basename(file.path)), file.contents);
  return directory;
}

function bundle(workersModule: string, projectRoot: string) {
  return buildSync({
    stdin: {
      contents: [
        `import workers from ${JSON.stringify(workersModule.split(path.sep).join('/'))};`,
        `import { runWorkerProcess } from 'postbox/worker';`,
        `process.exit(await runWorkerProcess(workers, process.argv.slice(2)));`,
      ].join('\n'),
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
