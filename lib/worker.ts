/**
 * `postbox/worker`: the worker process's entry, what the worker image runs. Apart from `postbox/cli`, so that the
 * image's bundle holds the workers and their runtime only, not the command line (nor the CDK that `postbox cost` loads).
 */
export { runWorkerProcess, type WorkerProcessEnvironment } from './runtime/consuming/workers/worker-process.ts';
// The image of a topology whose worker queues are all of kind http runs the topology module alone.
export { workersOfTopology } from './runtime/consuming/workers/define-workers.ts';
export { topologyOfModule } from './config/topology-module.ts';
