import type { SQSClient } from '@aws-sdk/client-sqs';

export interface SdkFaults {
  /** Share of calls whose response is dropped after SQS acted on the request. */
  readonly dropResponse: number;
  /** Share of calls held back before they are sent. */
  readonly delay: number;
  /** Longest hold, in ms. */
  readonly maxDelayMs: number;
}

/** Counts of what was injected, for the report. */
export interface InjectedSdkFaults {
  dropped: number;
  delayed: number;
}

/** SQS answered, but the answer never reached the client: the error an SDK call fails with then. */
export class DroppedResponseError extends Error {
  override readonly name = 'TimeoutError';
  constructor(command: string) {
    super(`chaos: the response to ${command} was dropped after SQS acted on the request`);
  }
}

/**
 * Wraps a real SQS client: some calls are held back before they go, and some
 * responses are dropped after SQS acted on the request (the client sees a
 * timeout; SQS deleted, sent or hid the message all the same), which is the
 * fault that tempts a consumer to act twice or to give up on a message.
 */
export function withSdkFaults(client: SQSClient, faults: SdkFaults, random: () => number, injected: InjectedSdkFaults): SQSClient {
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  const faulty = async (command: { constructor: { name: string } }) => {
    if (random() < faults.delay) {
      injected.delayed += 1;
      await new Promise((resolve) => setTimeout(resolve, random() * faults.maxDelayMs));
    }
    const result = await send(command);
    if (random() < faults.dropResponse) {
      injected.dropped += 1;
      throw new DroppedResponseError(command.constructor.name);
    }
    return result;
  };
  return new Proxy(client, { get: (target, key, receiver) => (key === 'send' ? faulty : Reflect.get(target, key, receiver)) });
}
