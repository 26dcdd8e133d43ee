import { defineWorkers } from 'postbox';
import { reportHandlers } from './service-handlers.ts';
import { serviceTopology } from './service-topology.ts';

/** What `postbox worker` and the deployed worker image run. */
export default defineWorkers(serviceTopology, {
  reports: { handlers: reportHandlers },
});
