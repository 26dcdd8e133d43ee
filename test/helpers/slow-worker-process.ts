/**
 * A worker program as the worker image runs it (`process.exit(await runWorkerProcess(workers, argv))`), for the
 * payments topology: each archive job takes POSTBOX_TEST_JOB_MS (default 3 s) and writes `job started` / `job done`.
 */
import { defineWorkers } from '../../lib/runtime/consuming/workers/define-workers.ts';
import { runWorkerProcess } from '../../lib/runtime/consuming/workers/worker-process.ts';
import { paymentsTopology } from './payments-topology.ts';

const jobMs = Number(process.env.POSTBOX_TEST_JOB_MS ?? 3000);
const workers = defineWorkers(paymentsTopology, {
  archive: {
    handlers: {
      'payment.received': async ({ data }) => {
        process.stdout.write(`${JSON.stringify({ message: 'job started', paymentId: data.paymentId })}\n`);
        await new Promise((resolve) => setTimeout(resolve, jobMs));
        process.stdout.write(`${JSON.stringify({ message: 'job done', paymentId: data.paymentId })}\n`);
      },
    },
  },
  'receipt-archive': { handlers: { 'receipt.archive': () => undefined } },
});

process.exit(await runWorkerProcess(workers, process.argv.slice(2)));
