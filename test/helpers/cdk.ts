import { App, Stack } from 'aws-cdk-lib';

/** An app that skips esbuild bundling: template tests need the resources, not the code. */
export function appWithoutBundling(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

export function emptyStack(): Stack {
  return new Stack(appWithoutBundling(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
}
