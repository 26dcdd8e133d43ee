import { createOutboxStreamHandler } from './outbox-stream-handler.ts';

/** The entry the `OutboxTable` construct bundles: the relay of the table named by POSTBOX_OUTBOX_TABLE. */
export const handler = createOutboxStreamHandler();
