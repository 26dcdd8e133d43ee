import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PostboxPackage } from './postbox-package.ts';

/** The tools a new service develops with, at the versions postbox itself is built and tested with. */
const DEV_DEPENDENCIES = ['@types/node', 'aws-cdk', 'aws-cdk-lib', 'constructs', 'tsx', 'typescript', 'vitest', 'zod'] as const;

/** Template files whose names npm pack would drop or misread, stored under another name. */
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

export interface ScaffoldOptions {
  /** The service's name: its package name and its topology's app name. */
  readonly name: string;
  readonly directory: string;
  readonly postbox: PostboxPackage;
  /** How the service depends on postbox (see postboxDependencySpec). */
  readonly postboxSpec: string;
}

/** The service's package.json: scripts for every tool, postbox and the tools it is built with. */
export function scaffoldPackageJson(options: Omit<ScaffoldOptions, 'directory'>): Record<string, unknown> {
  const devDependencies = Object.fromEntries(
    DEV_DEPENDENCIES.map((name) => {
      const version = options.postbox.versions[name];
      if (!version) throw new Error(`postbox's package.json pins no version of ${name}`);
      return [name, version];
    }),
  );
  return {
    name: options.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      start: 'postbox dev',
      test: 'tsc --noEmit && vitest run',
      synth: 'cdk synth',
      worker: 'postbox worker --local',
      typecheck: 'tsc --noEmit',
      // moto (Python) beside fauxqs: DynamoDB and S3 for idempotency records, the outbox and large payloads. Into
      // node_modules/postbox/.emulator, where Postbox looks; run again after a reinstall of postbox.
      'emulator:install': 'bash node_modules/postbox/scripts/install-emulator.sh moto',
    },
    dependencies: { postbox: options.postboxSpec },
    devDependencies,
  };
}

/** Writes a new service from a template directory (text files only) into `options.directory`, `{{name}}` replaced; returns the files written. */
export function writeScaffold(templateDirectory: string, options: ScaffoldOptions): string[] {
  mkdirSync(options.directory, { recursive: true });
  const written: string[] = [];
  for (const entry of readdirSync(templateDirectory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const source = path.join(entry.parentPath, entry.name);
    const relative = path.join(path.relative(templateDirectory, entry.parentPath), RENAMED[entry.name] ?? entry.name);
    const target = path.join(options.directory, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, readFileSync(source, 'utf8').replaceAll('{{name}}', options.name));
    written.push(relative);
  }
  writeFileSync(path.join(options.directory, 'package.json'), `${JSON.stringify(scaffoldPackageJson(options), null, 2)}\n`);
  return [...written, 'package.json'].sort();
}
