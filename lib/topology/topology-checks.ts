import { DEFAULT_MAX_MESSAGE_BYTES } from '../messages/wire-contract.ts';
import { FIFO_SUFFIX, MAX_QUEUE_NAME_LENGTH, MAX_TOPIC_NAME_LENGTH } from './naming.ts';
import type { ResolvedExternalTopic, ResolvedQueue, ResolvedTopic } from './resolved-topology.ts';
import { httpHandlerProblems } from './http-handler-declaration.ts';
import { MAX_VISIBILITY_TIMEOUT_SECONDS, resourceNamePattern, messageTypeNamePattern, runsInWorker, type NormalizedTopology } from './topology-schema.ts';
import { defaultVisibilityTimeout } from './visibility-timeout.ts';

/** The checks of a topology that its schema cannot express; each adds what it finds to `problems`. */

export function checkMessageTypes(topology: NormalizedTopology, problems: string[]): void {
  for (const [kind, types] of [['event', topology.events], ['command', topology.commands]] as const) {
    for (const type of Object.keys(types)) {
      if (!messageTypeNamePattern.test(type)) {
        problems.push(`${kind} type '${type}' must be lower-case words joined by '.', '-' or '_' (such as 'order.placed')`);
      }
    }
  }
  for (const type of Object.keys(topology.commands)) {
    if (type in topology.events) {
      problems.push(`'${type}' is declared both as an event and as a command; a message type has one kind`);
    }
  }
}

/** `everyTopicValid` false: some topic was refused by the schema, so an event may yet have one. */
export function checkTopics(topology: NormalizedTopology, problems: string[], everyTopicValid = true): void {
  const topicOfEvent = new Map<string, string>();
  for (const [id, topic] of Object.entries(topology.topics)) {
    if (!resourceNamePattern.test(id)) {
      problems.push(`topic name '${id}' must use lower-case letters, digits and hyphens, starting with a letter`);
    }
    if (topic.contentBasedDeduplication && !topic.fifo) {
      problems.push(`topic '${id}' has contentBasedDeduplication, which only FIFO topics have; add fifo: true or remove it`);
    }
    if (topic.fifoThroughputScope !== undefined && !topic.fifo) {
      problems.push(`topic '${id}' has fifoThroughputScope, which only FIFO topics have; add fifo: true or remove it`);
    }
    if (topic.maxMessageSizeBytes > DEFAULT_MAX_MESSAGE_BYTES) checkLargeMessageTopic(id, topic.maxMessageSizeBytes, topology, problems);
    for (const event of topic.events) {
      if (!(event in topology.events)) {
        problems.push(`topic '${id}' carries unknown event type '${event}'; declare it under events`);
        continue;
      }
      const other = topicOfEvent.get(event);
      if (other !== undefined) {
        problems.push(`event type '${event}' is carried by topic '${other}' and again by '${id}'; each event has one topic`);
      } else {
        topicOfEvent.set(event, id);
      }
    }
  }
  for (const [id, topic] of Object.entries(topology.externalTopics)) {
    for (const event of topic.events) {
      if (!(event in topology.events)) {
        problems.push(`external topic '${id}' carries event type '${event}', which is not declared; declare it under events with the schema this service reads it by (spread the publisher's contract.events)`);
        continue;
      }
      // The same event may come from several external topics (one service's topic in two regions, say).
      const other = topicOfEvent.get(event);
      if (other !== undefined && other in topology.topics) {
        problems.push(`event type '${event}' is carried by topic '${other}' and again by external topic '${id}'; this service's own events are its own topics'`);
      } else {
        topicOfEvent.set(event, id);
      }
    }
  }
  // A subscriber spreads its publisher's contract.events whole, and consumes some of them.
  const published = new Set(Object.values(topology.externalTopics).flatMap((topic) => Object.keys(topic.contract?.events ?? {})));
  // A service with external topics may have declared another service's event in the wrong place: say both.
  const where = Object.keys(topology.externalTopics).length > 0
    ? "; add it to a topic's events, or to an external topic's events if another service publishes it (or name that service's contract)"
    : ", so it cannot be published; add it to a topic's events";
  for (const event of Object.keys(topology.events)) {
    if (everyTopicValid && !topicOfEvent.has(event) && !published.has(event)) {
      problems.push(`event type '${event}' is carried by no topic${where}`);
    }
  }
}

/** The form of each external topic: service and topic, or an ARN; a stage only with the first; FIFO as its name says. */
export function checkExternalTopics(topology: NormalizedTopology, problems: string[]): void {
  for (const [id, topic] of Object.entries(topology.externalTopics)) {
    const what = `external topic '${id}'`;
    if (!resourceNamePattern.test(id)) problems.push(`${what}: its name must use lower-case letters, digits and hyphens, starting with a letter`);
    if (id in topology.topics) problems.push(`${what} has the name of one of this service's own topics; subscribers could not tell them apart: rename it`);
    if (topic.arn !== undefined) {
      if (topic.service !== undefined || topic.topic !== undefined) problems.push(`${what}: give either arn, or service and topic, not both`);
      if (topic.stage !== undefined) problems.push(`${what}: stage goes with service and topic; an ARN names the topic of one stage already`);
      const fifoName = topic.arn.endsWith(FIFO_SUFFIX);
      if (topic.fifo !== undefined && topic.fifo !== fifoName) {
        problems.push(`${what}: fifo is ${topic.fifo} but its ARN ${fifoName ? 'ends' : 'does not end'} in '.fifo'; a FIFO topic's name ends in '.fifo'`);
      }
    } else if (topic.service === undefined || topic.topic === undefined) {
      problems.push(`${what}: name the publishing service and its topic (service: 'orders', topic: 'orders'), or give the topic's arn`);
    } else if (topic.service === topology.app) {
      problems.push(`${what} is a topic of this service ('${topic.service}'); subscribe to it under topics, not externalTopics`);
    }
  }
}

export function checkSubscriber(
  id: string,
  subscriber: NormalizedTopology['subscribers'][string],
  topology: NormalizedTopology,
  problems: string[],
  external?: ResolvedExternalTopic,
): void {
  if (!resourceNamePattern.test(id)) {
    problems.push(`subscriber name '${id}' must use lower-case letters, digits and hyphens, starting with a letter`);
  }
  const topic = external ?? topology.topics[subscriber.topic];
  if (topic === undefined) {
    problems.push(`subscriber '${id}' listens to unknown topic '${subscriber.topic}'; declare it under topics, or under externalTopics for another service's`);
    return;
  }
  const seen = new Set<string>();
  for (const event of subscriber.events) {
    if (seen.has(event)) problems.push(`subscriber '${id}' names event type '${event}' twice`);
    seen.add(event);
    if (!(event in topology.events)) {
      problems.push(`subscriber '${id}' wants unknown event type '${event}'`);
    } else if (!topic.events.includes(event)) {
      problems.push(
        external
          ? `subscriber '${id}' wants '${event}', which external topic '${subscriber.topic}' does not list; add it to that topic's events`
          : `subscriber '${id}' wants '${event}', which topic '${subscriber.topic}' does not carry`,
      );
    }
  }
  if (subscriber.queue.fifo !== undefined && subscriber.queue.fifo !== topic.fifo) {
    problems.push(
      `subscriber '${id}' has a ${subscriber.queue.fifo ? 'FIFO' : 'standard'} queue but topic '${subscriber.topic}' is ` +
        `${topic.fifo ? 'FIFO' : 'standard'}; a subscriber's queue is FIFO exactly when its topic is`,
    );
  }
}

function describeQueue(queue: ResolvedQueue): string {
  return queue.role === 'subscriber' ? `subscriber '${queue.id}'` : `command handler of '${queue.messageTypes[0]}'`;
}

/** `declaresMaxConcurrency`: the declaration names the handler's maxConcurrency (its default cannot conflict). */
export function checkQueue(queue: ResolvedQueue, problems: string[], declaresMaxConcurrency = false): void {
  const what = describeQueue(queue);
  const { handler, backoff } = queue;
  if (handler.kind === 'lambda' && handler.provisionedPollers !== undefined) {
    const { minimum, maximum } = handler.provisionedPollers;
    if (minimum > maximum) {
      problems.push(`${what}: provisionedPollers keeps ${minimum} pollers ready but may scale to only ${maximum}; raise maximum to at least ${minimum} or lower minimum`);
    }
    if (declaresMaxConcurrency) {
      problems.push(`${what}: maxConcurrency and provisionedPollers cannot go together (Lambda's event source takes one or the other); remove maxConcurrency, as provisionedPollers.maximum bounds the pollers`);
    }
  }
  if (queue.visibilityTimeoutSeconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    problems.push(
      `${what}: visibility timeout ${queue.visibilityTimeoutSeconds} s exceeds the SQS maximum of ${MAX_VISIBILITY_TIMEOUT_SECONDS} s; lower the handler timeout`,
    );
  }
  // The heartbeat extends a running task's visibility, but SQS never lets it pass 12 h from the receipt.
  if (runsInWorker(handler) && handler.timeoutSeconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    problems.push(
      `${what}: worker task timeout ${handler.timeoutSeconds} s exceeds the 12 hours (${MAX_VISIBILITY_TIMEOUT_SECONDS} s) SQS lets a message stay invisible after its receipt; lower timeoutSeconds or split the task`,
    );
  }
  if (handler.kind === 'lambda' && queue.visibilityTimeoutSeconds < handler.timeoutSeconds) {
    problems.push(
      `${what}: visibility timeout ${queue.visibilityTimeoutSeconds} s cannot cover the handler timeout of ${handler.timeoutSeconds} s; ` +
        `use at least ${handler.timeoutSeconds} s (AWS advises ${defaultVisibilityTimeout(handler)} s) or omit it to derive it`,
    );
  }
  if (handler.kind === 'lambda' && queue.fifo) {
    if (handler.batchSize > 10) problems.push(`${what}: a FIFO queue's Lambda batch size is at most 10, not ${handler.batchSize}`);
    if (handler.maxBatchingWindowSeconds > 0) problems.push(`${what}: a FIFO queue's Lambda event source has no batching window; remove maxBatchingWindowSeconds`);
  }
  if (handler.kind === 'lambda' && !queue.fifo && handler.batchSize > 10 && handler.maxBatchingWindowSeconds < 1) {
    problems.push(`${what}: a batch size over 10 (${handler.batchSize}) needs a batching window of at least 1 s`);
  }
  if (handler.kind === 'http') problems.push(...httpHandlerProblems(handler, what));
  if (backoff.baseSeconds > backoff.capSeconds) {
    problems.push(`${what}: backoff base ${backoff.baseSeconds} s is above its cap of ${backoff.capSeconds} s`);
  }
}

export function checkNames(topics: readonly ResolvedTopic[], queues: readonly ResolvedQueue[], problems: string[]): void {
  for (const topic of topics) {
    if (topic.name.length > MAX_TOPIC_NAME_LENGTH) {
      problems.push(`topic name '${topic.name}' is ${topic.name.length} characters, over the SNS limit of ${MAX_TOPIC_NAME_LENGTH}`);
    }
  }
  const owners = new Map<string, string>();
  const ids = new Map<string, { what: string; name: string }>();
  for (const queue of queues) {
    // Two queues with one logical id (`job.run` and `job_run`, subscriber `x-y` and command `x.y`) would share
    // their construct ids and handler maps' key: one of them would go unconsumed.
    // Where their names are the same too, the name check below says so.
    const sameId = ids.get(queue.id);
    if (sameId !== undefined && sameId.name !== queue.name) {
      problems.push(`${sameId.what} and ${describeQueue(queue)} both have the queue id '${queue.id}'; rename one of them`);
    }
    ids.set(queue.id, { what: describeQueue(queue), name: queue.name });
    const names = [queue.name, queue.deadLetterQueueName, queue.subscription?.deliveryDeadLetterQueueName];
    for (const name of names) {
      if (name === undefined) continue;
      if (name.length > MAX_QUEUE_NAME_LENGTH) {
        problems.push(
          `queue name '${name}' is ${name.length} characters, over the SQS limit of ${MAX_QUEUE_NAME_LENGTH} ('.fifo' included); shorten the app, stage or '${queue.id}'`,
        );
      }
      const owner = owners.get(name);
      if (owner !== undefined) {
        problems.push(`queue name '${name}' is used by both ${owner} and ${describeQueue(queue)}; rename one of them`);
      }
      owners.set(name, describeQueue(queue));
    }
  }
}

/** SNS's subscriptions of a topic whose MaximumMessageSize is above 256 KiB. */
const MAX_LARGE_MESSAGE_SUBSCRIPTIONS = 100;

/**
 * A topic above 256 KiB: SNS takes at most 100 subscriptions of it, and a subscriber's queue that accepts less than
 * the topic would refuse its larger messages (they would end in the delivery dead-letter queue).
 */
function checkLargeMessageTopic(id: string, maxBytes: number, topology: NormalizedTopology, problems: string[]): void {
  const subscribers = Object.entries(topology.subscribers).filter(([, subscriber]) => subscriber.topic === id);
  if (subscribers.length > MAX_LARGE_MESSAGE_SUBSCRIPTIONS) {
    problems.push(`topic '${id}' accepts ${maxBytes} bytes, above 256 KiB, where SNS allows ${MAX_LARGE_MESSAGE_SUBSCRIPTIONS} subscriptions; it has ${subscribers.length}: lower maxMessageSizeBytes or split the topic`);
  }
  for (const [name, subscriber] of subscribers) {
    if (subscriber.queue.maxMessageSizeBytes < maxBytes) {
      problems.push(
        `subscriber '${name}' accepts ${subscriber.queue.maxMessageSizeBytes} bytes, less than the ${maxBytes} of its topic '${id}'; set its queue.maxMessageSizeBytes to ${maxBytes}, or its larger messages end in its delivery dead-letter queue`,
      );
    }
  }
}
