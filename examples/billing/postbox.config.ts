import { defineConfig } from 'postbox';

/** Billing, a second service: `npm start` here runs it alone; the orders example's `npm start` runs it beside orders. */
export default defineConfig({
  topology: './billing-topology.ts',
  stages: { local: 'local', deployed: 'dev', profiles: { prod: 'production' } },
  dev: { consolePort: 8788 },
});
