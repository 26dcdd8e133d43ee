import { defineConfig } from 'postbox';

/** The ledger example: a command delivered to a service's HTTP endpoint by the worker, no handler module. */
export default defineConfig({
  topology: './ledger-topology.ts',
  stages: { local: 'local', deployed: 'dev', profiles: { prod: 'production' } },
  dev: { consolePort: 8789, demo: './ledger-demo.ts' },
});
