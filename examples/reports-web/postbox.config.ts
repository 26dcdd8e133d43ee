import { defineConfig } from 'postbox';

/** The reports web example: a command with a reply, asked for by an HTTP server. */
export default defineConfig({
  topology: './reports-topology.ts',
  stages: { local: 'local', deployed: 'dev', profiles: { prod: 'production' } },
});
