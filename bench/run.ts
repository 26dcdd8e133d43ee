import { benchBundles, initRatio } from './bundle-bench.ts';
import { benchConsumers, HANDLER_MS, ROUND_TRIP_MS } from './consumer-bench.ts';
import { benchIdempotency } from './idempotency-bench.ts';
import { benchPipeline, type Spread } from './pipeline-bench.ts';
import { benchPublish } from './publish-bench.ts';

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

console.log('1/5 pipeline: 10,000 order.placed records in batches of 10, same zod schema, 7 interleaved rounds (median ratio, min–max)…');
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
compare('pipeline throughput', postbox, 'Powertools (zod in handler)', r[powertoolsZod]!, 'rec/s', { ratio: 1.5, higherIsBetter: true }, pipeline.ratios[powertoolsZod]);
compare('pipeline throughput', postbox, 'bare JSON.parse + zod loop', r[bareLoop]!, 'rec/s', { ratio: 0.8, higherIsBetter: true }, pipeline.ratios[bareLoop]);

console.log('2/5 handler bundle (esbuild, minified ESM, AWS SDK external) and module init, 9 interleaved cold loads in fresh processes (median ratio, min–max)…');
const bundles = await benchBundles({
  postbox: 'functions/notifications.ts',
  powertools: 'bench/fixtures/powertools-handler.ts',
  powertoolsIdempotent: 'bench/fixtures/powertools-idempotent-handler.ts',
});
const kib = (bytes: number) => `${fmt(bytes / 1024, 1)} KiB`;
for (const [name, parts] of Object.entries(bundles.parts)) {
  console.log(`   ${name.padEnd(22)} ${kib(bundles.bytes[name]!).padStart(10)}: ${Object.entries(parts).map(([part, bytes]) => `${part} ${kib(bytes)}`).join(', ')}`);
}
compare('handler bundle size', bundles.bytes.postbox! / 1024, 'Powertools batch+parser+logger+metrics', bundles.bytes.powertools! / 1024, 'KiB', { ratio: 1 / 3, higherIsBetter: false });
compare('handler module init', bundles.initMs.postbox!, 'Powertools batch+parser+logger+metrics', bundles.initMs.powertools!, 'ms', { ratio: 0.33, higherIsBetter: false }, initRatio(bundles, 'postbox', 'powertools'));

console.log('3/5 publishing 1,000 events at concurrency 8 to a local SNS endpoint that answers after 20 ms…');
const publish = await benchPublish();
console.log(`   API calls: publishMany ${publish.calls.publishMany}, one publish per message ${publish.calls['one publish per message']}`);
compare('publish throughput', publish.messagesPerSecond.publishMany!, 'one Publish per message', publish.messagesPerSecond['one publish per message']!, 'msg/s', { ratio: 8, higherIsBetter: true });

console.log(`4/5 polling consumers: 1,000 messages, a handler that awaits ${HANDLER_MS} ms, local SQS endpoint answering after ${ROUND_TRIP_MS} ms; then the embedded emulator…`);
const consumers = await benchConsumers();
for (const [name, race] of Object.entries(consumers)) {
  const ours = race.messagesPerSecond.PollingConsumer!;
  const theirs = race.messagesPerSecond['sqs-consumer']!;
  const peer = race.setting.theirInstances === 1 ? 'sqs-consumer' : `${race.setting.theirInstances} sqs-consumers`;
  console.log(
    `   ${name}: PollingConsumer at ${race.setting.ours} ${fmt(ours)} msg/s, idle ${fmt(race.idleMsPer100.PollingConsumer!)} ms per 100; ` +
      `${peer} (batches of 10) ${fmt(theirs)} msg/s, idle ${fmt(race.idleMsPer100['sqs-consumer']!)} ms per 100`,
  );
  if (race.requestsPer100) {
    console.log(`     SQS requests per 100 messages: PollingConsumer ${fmt(race.requestsPer100.PollingConsumer!)}, ${peer} ${fmt(race.requestsPer100['sqs-consumer']!)}`);
  }
  if (race.roundTripMs === undefined) continue;
  if (race.setting.ours === race.setting.theirInstances * 10) {
    // A consumer that never receives more than it can start refills a slot one round trip after it frees:
    // at best concurrency / (handler + round trip) messages a second.
    const ceiling = race.setting.ours / ((HANDLER_MS + race.roundTripMs) / 1000);
    console.log(`     ceiling at this concurrency without reading ahead: ${fmt(ceiling)} msg/s = ${fmt(ceiling / theirs, 2)}× ${peer}`);
    compare(`consumer throughput (${name})`, ours, peer, theirs, 'msg/s', { ratio: 2, higherIsBetter: true });
  } else {
    compare(`consumer throughput (${name})`, ours, peer, theirs, 'msg/s');
  }
}

console.log('5/5 idempotent handling: 500 order.placed records in batches of 10, DynamoDB on the embedded emulator, first deliveries then the same again, median of 3 rounds…');
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

const header = ['figure', 'Postbox', 'peer', 'peer figure', 'ratio', 'target'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}`);
