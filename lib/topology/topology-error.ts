import { PostboxError } from '../postbox-error.ts';

/** A topology declaration that cannot be built; `problems` lists every one found, not just the first. */
export class TopologyError extends PostboxError {
  readonly code = 'TOPOLOGY_INVALID';

  constructor(
    readonly app: string,
    readonly problems: readonly string[],
  ) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(
      `Topology '${app}' has ${count}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n` +
        'Fix the topology declaration and try again.',
    );
  }
}
