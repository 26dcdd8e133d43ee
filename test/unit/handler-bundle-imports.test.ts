import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { lambdaEsbuildOptions } from '../../lib/infra/lambda-bundling.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The example's idempotent handler bundled as LambdaConsumer bundles it: minified ESM, the AWS SDK left to the runtime. */
async function bundleOf(entry: string): Promise<string> {
  const result = await build({
    ...lambdaEsbuildOptions,
    mainFields: [...lambdaEsbuildOptions.mainFields],
    external: [...lambdaEsbuildOptions.external],
    entryPoints: [`${root}/${entry}`],
    write: false,
    logLevel: 'silent',
    tsconfig: `${root}/tsconfig.json`,
  });
  return result.outputFiles[0]!.text;
}

describe('a Lambda handler bundle', () => {
  it('loads no AWS SDK at module init, even for an idempotent queue: each SDK is imported on first use', async () => {
    const code = await bundleOf('functions/notifications.ts');
    // esbuild hoists a static import of an external package to the top of the bundle, where the runtime loads it at every cold start.
    expect(code.match(/(?:from|import)\s*"@aws-sdk\/[a-z0-9-]+"/g) ?? []).toEqual([]);
    expect(code).toContain('import("@aws-sdk/client-dynamodb")');
  });

  it('carries the OpenTelemetry API and no SDK: spans come from the SDK the application registers', async () => {
    const code = await bundleOf('functions/notifications.ts');
    expect(code).toContain('opentelemetry.js.api');
    expect(code).not.toMatch(/BasicTracerProvider|SimpleSpanProcessor|BatchSpanProcessor|@opentelemetry\/sdk/);
  });
});
