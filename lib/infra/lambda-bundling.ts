import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every Lambda function Postbox makes is bundled (its consumers, the outbox relay): minified ESM for Node.js 24
 * with source maps, the AWS SDK left to the runtime. The bench and the bundle tests build the same with esbuild.
 */
const TARGET = 'node24';
const MAIN_FIELDS = ['module', 'main'];
/** Some dependencies still call require(); ESM output needs it defined. */
const REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** The `bundling` of a NodejsFunction (CDK leaves `@aws-sdk/*` external for Node 18 and later). */
export const lambdaBundling: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  target: TARGET,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: MAIN_FIELDS,
  banner: REQUIRE_BANNER,
};

/** The same as esbuild build options, for measuring a bundle as Lambda would get it. */
export const lambdaEsbuildOptions = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: TARGET,
  mainFields: MAIN_FIELDS,
  external: ['@aws-sdk/*'],
  banner: { js: REQUIRE_BANNER },
} as const;
