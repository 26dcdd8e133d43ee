import type { SQSClient } from '@aws-sdk/client-sqs';

type Command = Parameters<SQSClient['send']>[0];

/**
 * A real SQS client whose requests pass through `intercept` first: it may
 * throw (the request fails), wait (the request is held), or return to let the
 * request go to the emulator. Fault injection without mocking the SDK.
 */
export function faultySqs(real: SQSClient, intercept: (command: Command) => void | Promise<void>): SQSClient {
  return {
    send: async (command: Command) => {
      await intercept(command);
      return real.send(command as never);
    },
  } as unknown as SQSClient;
}

/** The SDK command's name (`ReceiveMessageCommand`) and input. */
export function describeCommand(command: Command): { name: string; input: Record<string, unknown> } {
  return { name: command.constructor.name, input: command.input as Record<string, unknown> };
}
