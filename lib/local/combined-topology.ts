import type { ResolvedQueue, ResolvedTopic, ResolvedTopology } from '../topology/resolved-topology.ts';

/**
 * Several services of one stage as one topology, for the console and the live view of `postbox dev --with`: the
 * first keeps its names; the others' topics and queues are named `<app>.<name>`, so that no two clash, and a queue
 * subscribed to another running service's topic points at that topic, the arrow that crosses services.
 */
export function combinedTopology(services: readonly ResolvedTopology[]): ResolvedTopology {
  const [first, ...others] = services;
  if (!first) throw new TypeError('combinedTopology: no service');
  if (others.length === 0) return first;
  const label = (service: ResolvedTopology, id: string) => (service === first ? id : `${service.app}.${id}`);
  const topicIdByName = new Map(services.flatMap((service) => service.topics.map((topic) => [topic.name, label(service, topic.id)] as const)));
  const topics: ResolvedTopic[] = services.flatMap((service) => service.topics.map((topic) => ({ ...topic, id: label(service, topic.id) })));
  const queues: ResolvedQueue[] = services.flatMap((service) =>
    service.queues.map((queue) => {
      const subscription = queue.subscription;
      if (!subscription) return { ...queue, id: label(service, queue.id) };
      const external = subscription.external ? service.externalTopics.find((topic) => topic.id === subscription.topicId) : undefined;
      const topicId = external ? (topicIdByName.get(external.name) ?? label(service, subscription.topicId)) : label(service, subscription.topicId);
      return { ...queue, id: label(service, queue.id), subscription: { ...subscription, topicId } };
    }),
  );
  return {
    ...first,
    app: services.map((service) => service.app).join(' + '),
    events: Object.assign({}, ...services.map((service) => service.events)),
    commands: Object.assign({}, ...services.map((service) => service.commands)),
    topics,
    externalTopics: [],
    queues,
  };
}
