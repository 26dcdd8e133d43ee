import type { ResolvedTopology } from '../topology/resolve-topology.ts';

/**
 * Services in the order to provision them: a publisher before the services that subscribe to its topics, so a
 * subscriber's queue subscribes to the publisher's own topic rather than to a stand-in. Otherwise as given.
 */
export function publishersFirst<S extends { readonly topology: ResolvedTopology }>(services: readonly S[]): S[] {
  const ordered: S[] = [];
  const visit = (service: S, path: readonly S[]) => {
    if (ordered.includes(service) || path.includes(service)) return;
    for (const external of service.topology.externalTopics) {
      const publisher = services.find((candidate) => candidate !== service && candidate.topology.app === external.service);
      if (publisher) visit(publisher, [...path, service]);
    }
    ordered.push(service);
  };
  for (const service of services) visit(service, []);
  return ordered;
}
