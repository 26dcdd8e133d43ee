import type { ResolvedTopology } from '../topology/resolve-topology.ts';
import type { MessageSchema } from '../topology/topology-schema.ts';
import type { MessageKind } from './envelope.ts';

/** What the catalog knows of one message type. */
export interface CatalogEntry {
  readonly type: string;
  readonly kind: MessageKind;
  readonly schema: MessageSchema;
  readonly version: number;
  /** A command's reply schema, when it declares one. */
  readonly reply?: MessageSchema;
}

/** Every message type of a topology with its kind, schema and version. */
export class MessageCatalog {
  private readonly entries = new Map<string, CatalogEntry>();

  constructor(topology: Pick<ResolvedTopology, 'events' | 'commands'>) {
    for (const [kind, types] of [['event', topology.events], ['command', topology.commands]] as const) {
      for (const [type, declared] of Object.entries(types)) {
        this.entries.set(type, { type, kind, schema: declared.schema, version: declared.version, ...(declared.reply && { reply: declared.reply }) });
      }
    }
  }

  get(type: string): CatalogEntry | undefined {
    return this.entries.get(type);
  }

  types(): string[] {
    return [...this.entries.keys()];
  }
}
