import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

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

/**
 * The real client, holding the emulator to a rule of SQS it does not check
 * (fauxqs deletes nothing and says nothing): a receipt handle the queue never
 * handed out is refused per entry, as `ReceiptHandleIsInvalid`.
 */
export function refusingUnknownReceiptHandles(real: SQSClient): SQSClient {
  const issued = new Set<string>();
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: SentCommand, options?: unknown) => {
        const send = (sent: SentCommand) => Reflect.apply(target.send, target, [sent, options]) as Promise<Record<string, unknown>>;
        if (command instanceof DeleteMessageBatchCommand) {
          const entries = command.input.Entries ?? [];
          const known = entries.filter((entry) => issued.has(entry.ReceiptHandle!));
          const refused = entries.filter((entry) => !issued.has(entry.ReceiptHandle!));
          const result = known.length > 0 ? await send(new DeleteMessageBatchCommand({ ...command.input, Entries: known })) : { Successful: [] };
          const failed = refused.map((entry) => ({
            Id: entry.Id,
            Code: 'ReceiptHandleIsInvalid',
            SenderFault: true,
            Message: `The input receipt handle "${entry.ReceiptHandle}" is not a valid receipt handle.`,
          }));
          return { ...result, Failed: [...((result.Failed as unknown[] | undefined) ?? []), ...failed] };
        }
        const result = await send(command);
        if (command instanceof ReceiveMessageCommand) {
          for (const message of (result.Messages as Array<{ ReceiptHandle?: string }> | undefined) ?? []) issued.add(message.ReceiptHandle!);
        }
        return result;
      };
    },
  });
}
