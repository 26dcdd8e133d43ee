import { defineConfig } from 'postbox';

/** {{name}} on Postbox: what `cdk synth`, `cdk deploy`, `postbox dev`, `postbox worker` and the tests read. */
export default defineConfig({
  topology: './src/service-topology.ts',
  workers: './src/service-workers.ts',
  stages: { local: 'local', deployed: 'dev' },
});
