import type { SQSClient } from '@aws-sdk/client-sqs';

/** A command as a fault sees it: its class name and input. */
export interface SentCommand {
  readonly constructor: { readonly name: string };
  readonly input: unknown;
}

/**
 * The real client, except that `fault` sees every command first: it may throw
 * or return an error to fail the command, wait to hold it back, return another
 * command to send instead, or return undefined to let it through unchanged.
 * Fault injection in front of the emulator, without mocking the SDK.
 */
export function faultInjectingSqs(
  real: SQSClient,
  fault: (command: SentCommand) => Error | SentCommand | undefined | void | Promise<Error | SentCommand | undefined | void>,
): SQSClient {
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: SentCommand, options?: unknown) => {
        const outcome = await fault(command);
        if (outcome instanceof Error) throw outcome;
        return Reflect.apply(target.send, target, [outcome ?? command, options]);
      };
    },
  });
}

/** The SDK command's name (`ReceiveMessageCommand`) and input. */
export function describeCommand(command: SentCommand): { name: string; input: Record<string, unknown> } {
  return { name: command.constructor.name, input: command.input as Record<string, unknown> };
}
