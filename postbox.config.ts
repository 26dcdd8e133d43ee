import { defineConfig } from 'postbox';

/** The orders example: this repository's own service on Postbox, configured as any other. */
export default defineConfig({
  topology: './examples/orders/orders-topology.ts',
  workers: './examples/orders/orders-workers.ts',
  stages: { local: 'local', deployed: 'dev', profiles: { prod: 'production' } },
  // Billing, a service of its own subscribed to orders' topic, runs beside it in `npm start`.
  dev: { consolePort: 8787, demo: './examples/orders/orders-demo.ts', with: ['./examples/billing'] },
});
