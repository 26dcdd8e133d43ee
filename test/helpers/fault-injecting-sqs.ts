import type { SQSClient } from '@aws-sdk/client-sqs';

/** A command as the fault sees it: its class name and input. */
export interface SentCommand {
  readonly constructor: { readonly name: string };
  readonly input: unknown;
}

/**
 * The real client, except that `fault` sees every command first: it returns an
 * error to fail the command, another command to send instead, or undefined to
 * pass it through unchanged.
 */
export function faultInjectingSqs(real: SQSClient, fault: (command: SentCommand) => Error | SentCommand | undefined): SQSClient {
  return new Proxy(real, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (command: SentCommand, options?: unknown) => {
        const outcome = fault(command);
        if (outcome instanceof Error) return Promise.reject(outcome);
        return Reflect.apply(target.send, target, [outcome ?? command, options]);
      };
    },
  });
}
