import { createSqsHandler, UnrecoverableError } from 'postbox';
import { reportsTopology } from '../reports-topology.ts';

// The reply is what the handler returns. A month in the future cannot be rendered: the request fails at once.
export const handler = createSqsHandler(reportsTopology, {
  queue: 'report-generate',
  handlers: {
    'report.generate': ({ data }) => {
      if (data.month > new Date().toISOString().slice(0, 7)) throw new UnrecoverableError(`${data.month} has not happened yet`, { code: 'MONTH_IN_FUTURE' });
      return { url: `https://reports.example/${data.month}.pdf` };
    },
  },
});
