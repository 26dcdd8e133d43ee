import { benchBundles, initRatio } from './bundle-bench.ts';
import { benchIdleCost } from './cost-bench.ts';
import { benchLambdaPathRequests, workerModelPer1000 } from './sqs-requests-bench.ts';
import { benchConsumers, benchLoad, HANDLER_MS, median, ROUND_TRIP_MS, type Contender } from './consumer-bench.ts';
import { benchLatency } from './latency-bench.ts';
import { benchIdempotency } from './idempotency-bench.ts';
import { benchPipeline, WARM_UP_ROUNDS } from './pipeline-bench.ts';
import type { Spread } from './spread.ts';
import { benchPipelineLayers, LAYER_DESCRIPTIONS, type Layer } from './pipeline-layers-bench.ts';
import { benchPublish } from './publish-bench.ts';
import { benchSynth } from './synth-bench.ts';
import { ordersTopology } from '../examples/orders/orders-topology.ts';
import { DEPLOYED_ENVIRONMENT } from '../lib/messages/wire-contract.ts';
import { encodeDeployedQueue } from '../lib/topology/deployed-queue.ts';
import { resolveTopology } from '../lib/topology/resolve-topology.ts';

/**
 * `npm run bench`: every figure measured side by side in this one run, each
 * with its ratio to the named peer and the target it is held to.
 */
const rows: string[][] = [];
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * A row of the summary; without a target the ratio is shown for information. With `spread`, the ratio is the
 * median of ratios taken round by round, shown with their range.
 */
function compare(what: string, ours: number, peerName: string, peer: number, unit: string, target?: { ratio: number; higherIsBetter: boolean }, spread?: Spread) {
  const ratio = spread?.median ?? ours / peer;
  let verdict = 'none (for information)';
  if (target) {
    const met = target.higherIsBetter ? ratio >= target.ratio : ratio <= target.ratio;
    verdict = `${target.higherIsBetter ? '≥' : '≤'} ${fmt(target.ratio, 2)}× ${met ? 'met' : 'NOT met'}`;
  }
  const shown = `${fmt(ratio, 2)}×${spread ? ` (${fmt(spread.min, 2)}–${fmt(spread.max, 2)})` : ''}`;
  rows.push([what, `${fmt(ours)} ${unit}`, peerName, `${fmt(peer)} ${unit}`, shown, verdict]);
}

console.log('Postbox benchmarks (Node.js %s, %s)\n', process.versions.node, new Date().toISOString());

console.log(`1/7 pipeline: 10,000 order.placed records in batches of 10, same zod schema; each contender bundled as deployed, in a worker thread of its own; ${WARM_UP_ROUNDS} rounds to warm up, then 15 interleaved rounds (median ratio, min–max)…`);
const pipeline = await benchPipeline();
const r = pipeline.recordsPerSecond;
const postbox = r['Postbox pipeline']!;
const powertoolsZod = 'Powertools BatchProcessor, zod in handler';
const bareLoop = 'bare loop (JSON.parse + zod parse)';
for (const [name, value] of Object.entries(r)) {
  const ratio = pipeline.ratios[name];
  const shown = ratio ? `   Postbox ${fmt(ratio.median, 2)}× (${fmt(ratio.min, 2)}–${fmt(ratio.max, 2)})` : '';
  console.log(`   ${name.padEnd(48)} ${fmt(value).padStart(10)} records/s${shown}`);
}
const layers = await benchPipelineLayers();
console.log('   where a record\'s time goes (the same bundled, in a process of its own; ns per record, median of 15 interleaved rounds; each layer with those below it, and what it adds):');
for (const [layer, description] of Object.entries(LAYER_DESCRIPTIONS) as [Layer, string][]) {
  console.log(`     ${layer.padEnd(10)} ${fmt(layers.cumulativeNs[layer]).padStart(6)} ns  +${fmt(layers.addedNs[layer]).padStart(4)}  ${description}`);
}
console.log(`     Postbox adds ${fmt(layers.cumulativeNs.batch - layers.cumulativeNs.zod)} ns to the bare loop's ${fmt(layers.cumulativeNs.zod)} ns; 0.8× the bare loop leaves it ${fmt(layers.cumulativeNs.zod / 0.8 - layers.cumulativeNs.zod)} ns`);
compare('pipeline throughput', postbox, 'Powertools (zod in handler)', r[powertoolsZod]!, 'rec/s', { ratio: 1.5, higherIsBetter: true }, pipeline.ratios[powertoolsZod]);
compare('pipeline throughput', postbox, 'bare JSON.parse + zod loop', r[bareLoop]!, 'rec/s', { ratio: 0.8, higherIsBetter: true }, pipeline.ratios[bareLoop]);

console.log('2/7 handler bundle (esbuild, minified ESM, AWS SDK external) and module init, 9 interleaved cold loads in fresh processes (median ratio, min–max)…');
// The notifications function as MessagingStack deploys it: its queue resolved at synthesis, in its environment.
const notificationsQueue = resolveTopology(ordersTopology, { stage: 'bench' }).queues.find((queue) => queue.id === 'notifications')!;
const bundles = await benchBundles(
  {
    postbox: 'functions/notifications.ts',
    powertools: 'bench/fixtures/powertools-handler.ts',
    powertoolsIdempotent: 'bench/fixtures/powertools-idempotent-handler.ts',
  },
  9,
  { [DEPLOYED_ENVIRONMENT.resolvedQueue]: encodeDeployedQueue(ordersTopology, 'bench', notificationsQueue)! },
);
const kib = (bytes: number) => `${fmt(bytes / 1024, 1)} KiB`;
for (const [name, parts] of Object.entries(bundles.parts)) {
  console.log(`   ${name.padEnd(22)} ${kib(bundles.bytes[name]!).padStart(10)}: ${Object.entries(parts).map(([part, bytes]) => `${part} ${kib(bytes)}`).join(', ')}`);
}
compare('handler bundle size', bundles.bytes.postbox! / 1024, 'Powertools batch+parser+logger+metrics', bundles.bytes.powertools! / 1024, 'KiB', { ratio: 1 / 3, higherIsBetter: false });
compare('handler module init', bundles.initMs.postbox!, 'Powertools batch+parser+logger+metrics', bundles.initMs.powertools!, 'ms', { ratio: 0.33, higherIsBetter: false }, initRatio(bundles, 'postbox', 'powertools'));

console.log('3/7 publishing 1,000 events at concurrency 8 to a local SNS endpoint that answers after 20 ms…');
const publish = await benchPublish();
console.log(`   API calls: publishMany ${publish.calls.publishMany}, one publish per message ${publish.calls['one publish per message']}`);
compare('publish throughput', publish.messagesPerSecond.publishMany!, 'one Publish per message', publish.messagesPerSecond['one publish per message']!, 'msg/s', { ratio: 8, higherIsBetter: true });

console.log(`4/7 polling consumers: a handler that awaits ${HANDLER_MS} ms, local SQS endpoint answering after ${ROUND_TRIP_MS} ms, 5 interleaved rounds; then one process at concurrency 200…`);
const range = (values: number[], digits = 0) => `median ${fmt(median(values), digits)} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`;
/** SQS requests per 1,000 messages at concurrency 10, by contender (medians), for the cost section. */
const requestsPer1000AtTen = new Map<Contender, number>();
for (const [name, { setting, runs }] of Object.entries(await benchConsumers())) {
  const rate = (contender: Contender) => runs[contender].map((run) => run.messagesPerSecond);
  const requests = (contender: Contender) => runs[contender].map((run) => run.requestsPer100);
  const peer = setting.concurrency === 10 ? 'sqs-consumer' : `${setting.concurrency / 10} sqs-consumers`;
  if (setting.concurrency === 10) for (const contender of Object.keys(runs) as Contender[]) requestsPer1000AtTen.set(contender, median(requests(contender)) * 10);
  const physical = setting.concurrency / (HANDLER_MS / 1000);
  // Without read-ahead a slot is refilled one round trip after it frees: at best concurrency / (handler + round trip).
  const ceiling = setting.concurrency / ((HANDLER_MS + ROUND_TRIP_MS) / 1000);
  const perRound = runs['PollingConsumer, prefetch'].map((run, i) => run.messagesPerSecond / runs['sqs-consumer'][i]!.messagesPerSecond);
  console.log(`   ${name}, ${setting.messages} messages a run (msg/s, SQS requests per 100 messages):`);
  console.log(`     PollingConsumer, prefetch ${setting.prefetch}: ${range(rate('PollingConsumer, prefetch'))} msg/s, ${range(requests('PollingConsumer, prefetch'), 1)} requests`);
  console.log(`     PollingConsumer, no read-ahead: ${range(rate('PollingConsumer'))} msg/s, ${range(requests('PollingConsumer'), 1)} requests`);
  console.log(`     ${peer} (batches of 10): ${range(rate('sqs-consumer'))} msg/s, ${range(requests('sqs-consumer'), 1)} requests`);
  console.log(`     physical limit ${fmt(physical)} msg/s; no-read-ahead ceiling ${fmt(ceiling)} msg/s; prefetch / ${peer} per round: ${range(perRound, 2)}×`);
  const ours = median(rate('PollingConsumer, prefetch'));
  compare(`consumer, prefetch ${setting.prefetch} (${name}, median)`, ours, 'physical limit concurrency / handler', physical, 'msg/s', { ratio: 0.9, higherIsBetter: true });
  const peerRate = median(rate('sqs-consumer'));
  compare(`consumer, prefetch ${setting.prefetch} (${name}, median)`, ours, peer, peerRate, 'msg/s', { ratio: 2, higherIsBetter: true });
  // No consumer passes the physical limit: when the peer reaches more than half of it, 2× is out of anyone's reach.
  if (physical / peerRate < 2) console.log(`     ${peer} reaches ${fmt((peerRate / physical) * 100, 1)} % of the physical limit: the most any consumer can be is ${fmt(physical / peerRate, 2)}× it`);
  compare(`consumer, no read-ahead (${name}, median)`, median(rate('PollingConsumer')), 'no-read-ahead ceiling', ceiling, 'msg/s', { ratio: 0.9, higherIsBetter: true });
  compare(`consumer SQS requests per 100 msg (${name}, prefetch)`, median(requests('PollingConsumer, prefetch')), peer, median(requests('sqs-consumer')), 'req', { ratio: 1 / 3, higherIsBetter: false });
}
const load = await benchLoad();
const loadLimit = load.concurrency / (HANDLER_MS / 1000);
console.log(
  `   one process, concurrency ${load.concurrency}, prefetch ${load.prefetch}, ${fmt(load.messages)} messages: ${fmt(load.messagesPerSecond)} msg/s, ${fmt(load.cpuMsPer1000)} ms CPU per 1,000 messages; ` +
    `after ${fmt(load.early)}: heap ${fmt(load.memory.early.heapMb, 1)} MiB, RSS ${fmt(load.memory.early.rssMb)} MiB; after ${fmt(load.messages)}: heap ${fmt(load.memory.end.heapMb, 1)} MiB, RSS ${fmt(load.memory.end.rssMb)} MiB`,
);
compare(`consumer at concurrency ${load.concurrency}`, load.messagesPerSecond, 'physical limit concurrency / handler', loadLimit, 'msg/s', { ratio: 0.9, higherIsBetter: true });
rows.push([`consumer CPU per 1,000 msg (concurrency ${load.concurrency})`, `${fmt(load.cpuMsPer1000)} ms`, '', '', '', 'none (for information)']);
// "No higher": 5 % is left for what a full GC does not settle (allocator pages, JIT code).
compare(`consumer heap after ${fmt(load.messages)} msg`, load.memory.end.heapMb, `after ${fmt(load.early)}`, load.memory.early.heapMb, 'MiB', { ratio: 1.05, higherIsBetter: false });
compare(`consumer RSS after ${fmt(load.messages)} msg`, load.memory.end.rssMb, `after ${fmt(load.early)}`, load.memory.early.rssMb, 'MiB', { ratio: 1.05, higherIsBetter: false });

console.log('5/7 idempotent handling: 500 order.placed records in batches of 10, DynamoDB on the embedded emulator, first deliveries then the same again, median of 3 rounds…');
const idempotency = await benchIdempotency();
for (const [name, value] of Object.entries(idempotency.firstDelivery)) {
  console.log(`   ${name.padEnd(44)} first delivery ${fmt(value).padStart(6)} records/s, redelivery ${fmt(idempotency.redelivery[name]!).padStart(6)} records/s`);
}
const ourIdempotent = 'Postbox idempotent queue';
const theirIdempotent = 'Powertools BatchProcessor + makeIdempotent';
compare('idempotent handling, first delivery', idempotency.firstDelivery[ourIdempotent]!, 'Powertools idempotency', idempotency.firstDelivery[theirIdempotent]!, 'rec/s', { ratio: 1, higherIsBetter: true });
compare('idempotent handling, redelivery', idempotency.redelivery[ourIdempotent]!, 'Powertools idempotency', idempotency.redelivery[theirIdempotent]!, 'rec/s', { ratio: 1, higherIsBetter: true });
// functions/notifications.ts is the idempotent handler (its queue declares idempotency): the same bundle, against Powertools with its idempotency utility.
compare('idempotent handler bundle size', bundles.bytes.postbox! / 1024, 'Powertools batch+idempotency+logger+metrics', bundles.bytes.powertoolsIdempotent! / 1024, 'KiB', { ratio: 1, higherIsBetter: false });

console.log('6/7 end-to-end latency, publish call → handler start, through SNS and SQS on the embedded emulator: 100 messages at 10 msg/s, then 2,500 at 500 msg/s…');
const latency = await benchLatency();
for (const run of latency.figures) {
  console.log(`   ${run.rate} msg/s (publishes kept ${fmt(run.publishedRate)} msg/s), ${latency.emulator}:`);
  for (const subscriber of ['Lambda subscriber', 'worker'] as const) {
    console.log(`     ${subscriber.padEnd(17)} p50 ${fmt(run.p50[subscriber], 1).padStart(8)} ms, p99 ${fmt(run.p99[subscriber], 1).padStart(8)} ms`);
    // Targets of this bench: p50 within 50 ms, p99 within the local system's 1 s long poll (beyond it, messages queued behind a backlog).
    compare(`latency p50, ${subscriber}, ${run.rate} msg/s`, run.p50[subscriber], 'target', 50, 'ms', { ratio: 1, higherIsBetter: false });
    compare(`latency p99, ${subscriber}, ${run.rate} msg/s`, run.p99[subscriber], 'target', 1000, 'ms', { ratio: 1, higherIsBetter: false });
  }
}
benchSynth(compare);

console.log("cost: SQS requests per 1,000 messages handled, measured, against postbox cost's figures…");
const lambdaPath = await benchLambdaPathRequests();
console.log(`   Lambda path (received and deleted as Lambda's poller does, batches of 10): ${fmt(lambdaPath.measuredPer1000)} requests`);
for (const [contender, requests] of requestsPer1000AtTen) console.log(`   ${contender} (concurrency 10): ${fmt(requests)} requests`);
compare('SQS requests per 1,000 msg, Lambda path', lambdaPath.measuredPer1000, "postbox cost's figure", lambdaPath.modelPer1000, 'req', { ratio: 1.1, higherIsBetter: false });
compare('SQS requests per 1,000 msg, PollingConsumer (concurrency 10)', requestsPer1000AtTen.get('PollingConsumer')!, "postbox cost's figure", workerModelPer1000(10), 'req', { ratio: 1.1, higherIsBetter: false });
compare('SQS requests per 1,000 msg, PollingConsumer (concurrency 10)', requestsPer1000AtTen.get('PollingConsumer')!, 'sqs-consumer', requestsPer1000AtTen.get('sqs-consumer')!, 'req');

console.log("cost: the example's dev stage doing nothing, under each profile, as postbox cost prices it…");
const idle = await benchIdleCost('dev', 'development');
const idleProduction = await benchIdleCost('dev', 'production');
for (const item of idle.items) console.log(`   ${item.item.padEnd(60)} $${fmt(item.monthly, 2)}`);
compare(`idle month of ${idle.stage}, development profile`, idle.monthly, 'production profile', idleProduction.monthly, '$');
compare(`idle month of ${idle.stage}, development profile`, idle.monthly, 'target (a development stage, #22)', 5, '$', { ratio: 1, higherIsBetter: false });

const header = ['figure', 'Postbox', 'peer', 'peer figure', 'ratio', 'target'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}`);
