import { defineConfig } from 'postbox';

/** The orders example: this repository's own service on Postbox, configured as any other. */
export default defineConfig({
  topology: './examples/orders/orders-topology.ts',
  workers: './examples/orders/orders-workers.ts',
  stages: { local: 'local', deployed: 'dev' },
  // `npm start` runs billing, a service of its own subscribed to orders' topic, beside orders: one emulator, one console.
  dev: { consolePort: 8787, demo: './examples/orders/orders-demo.ts', with: ['./examples/billing'] },
});
