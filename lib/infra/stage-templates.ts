import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import type { ProjectConfig } from '../config/load-project-config.ts';
import type { StageProfile } from '../config/stage-profile.ts';
import { createMessagingApp } from './messaging-app.ts';

/**
 * The CloudFormation templates of a project's stage, the stack and its nested stacks, as `cdk synth` writes them
 * but without bundling the functions or building the worker image (what `postbox cost` reads). The synthesis goes
 * to a temporary directory, removed before this returns. `profile`: the cost profile, over the config's.
 */
export async function synthesizedStageTemplates(config: ProjectConfig, stage: string, profile?: StageProfile): Promise<unknown[]> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'postbox-synth-'));
  try {
    const { app } = await createMessagingApp({
      config,
      app: new App({ outdir, context: { stage, 'aws:cdk:bundling-stacks': [] } }),
      ...(profile && { profile }),
    });
    app.synth();
    return readdirSync(outdir)
      .filter((file) => file.endsWith('.template.json'))
      .map((file) => JSON.parse(readFileSync(path.join(outdir, file), 'utf8')) as unknown);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
