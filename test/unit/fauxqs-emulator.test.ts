import { describe, expect, it } from 'vitest';
import { requireNodeForFauxqs } from '../../lib/local/fauxqs-emulator.ts';
import { NodeTooOldError } from '../../lib/local/local-errors.ts';

describe('the fauxqs emulator', () => {
  it("refuses a Node.js older than the package's engines with one line saying which to install", () => {
    expect(() => requireNodeForFauxqs('20.20.2')).toThrowError(NodeTooOldError);
    expect(() => requireNodeForFauxqs('22.17.1')).toThrowError("Postbox needs Node.js 22.18 or later, and this is 22.17.1; install Node.js 24 (what Postbox is tested on), e.g. 'nvm install 24'");
    expect(() => requireNodeForFauxqs('22.18.0')).not.toThrow();
    expect(() => requireNodeForFauxqs('24.21.0')).not.toThrow();
  });
});
