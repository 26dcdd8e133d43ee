import { defineConfig } from 'postbox';

/** Billing: a second service, which subscribes to orders' events (its own repository in real life). */
export default defineConfig({
  topology: './billing-topology.ts',
  stages: { local: 'local', deployed: 'dev' },
  dev: { consolePort: 8788 },
});
