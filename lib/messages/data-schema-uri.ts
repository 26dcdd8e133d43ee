import type { ResolvedTopology } from '../topology/resolved-topology.ts';

/**
 * The `dataschema` of a message type, and the `$id` of its JSON Schema:
 * `urn:postbox:<app>:<type>:<version>`, `<app>` the service that owns the type
 * (publishes the event, handles the command). A URN rather than a URL since
 * nothing is served from it: it names, for every stage alike, a schema the
 * consumer holds (`postbox docs --json-schema`), and JSON Schema validators
 * look schemas up by `$id` (ajv's getSchema).
 */
export function dataSchemaUri(app: string, type: string, version: number): string {
  return `urn:postbox:${app}:${type}:${version}`;
}


/**
 * The service that owns a declared message type: the topology's own app, or
 * the publisher of the external topic that carries the event (undefined when
 * that topic is known by ARN only).
 */
export function ownerOf(topology: Pick<ResolvedTopology, 'app' | 'externalTopics'>, type: string): string | undefined {
  const external = topology.externalTopics.find((topic) => topic.events.includes(type));
  return external ? external.service : topology.app;
}

/** The `dataschema` of a declared message type, or undefined when its owner is not known. */
export function dataSchemaUriOf(topology: Pick<ResolvedTopology, 'app' | 'events' | 'commands' | 'externalTopics'>, type: string): string | undefined {
  const declared = topology.events[type] ?? topology.commands[type];
  const owner = ownerOf(topology, type);
  return declared && owner !== undefined ? dataSchemaUri(owner, type, declared.version) : undefined;
}
