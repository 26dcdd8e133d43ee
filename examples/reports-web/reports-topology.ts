import * as z from 'zod';
import { defineTopology } from 'postbox';

/** A command that replies: the report's address once it is rendered. */
export const reportsTopology = defineTopology({
  app: 'reports',
  events: {},
  topics: {},
  commands: {
    'report.generate': {
      schema: z.object({ month: z.string().regex(/^\d{4}-\d{2}$/) }),
      reply: z.object({ url: z.string().url() }),
      description: 'Render the monthly report; the reply says where it is.',
    },
  },
  commandHandlers: {
    'report.generate': { handler: { kind: 'lambda', entry: 'functions/generate.ts', timeoutSeconds: 30 } },
  },
});
