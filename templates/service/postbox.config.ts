import { defineConfig } from 'postbox';

/** {{name}} on Postbox: what `cdk synth`, `cdk deploy`, `postbox dev`, `postbox worker` and the tests read. */
export default defineConfig({
  topology: './src/service-topology.ts',
  workers: './src/service-workers.ts',
  // Every stage idles near zero (the development profile) unless named production here: see `postbox cost`.
  stages: { local: 'local', deployed: 'dev', profiles: { prod: 'production' } },
});
