import { describe, expect, it } from 'vitest';
import { oneLine } from '../../lib/cli/one-line.ts';

describe('a message of several lines written as one', () => {
  it("turns a list's items into clauses, ended before the sentence after it", () => {
    const message = "Topology 'shop' has 2 problems:\n  - topology: Unrecognized key: \"x\"\n  - command 'a' has no handler\nFix the topology declaration and try again.";
    expect(oneLine(message)).toBe("Topology 'shop' has 2 problems: topology: Unrecognized key: \"x\"; command 'a' has no handler. Fix the topology declaration and try again.");
  });

  it('joins plain lines with a space and leaves a one-line message as it is', () => {
    expect(oneLine('first line\n\n  second line ')).toBe('first line second line');
    expect(oneLine('just this')).toBe('just this');
    expect(oneLine('list:\n- last item')).toBe('list: last item');
  });
});
