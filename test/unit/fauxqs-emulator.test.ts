import { describe, expect, it } from 'vitest';
import { requireNodeForFauxqs } from '../../lib/local/fauxqs-emulator.ts';
import { NodeTooOldError } from '../../lib/local/local-errors.ts';

describe('the fauxqs emulator', () => {
  it('refuses a Node.js older than 22.5 with one line saying how to get Node.js 24, or to use moto', () => {
    expect(() => requireNodeForFauxqs('20.20.2')).toThrowError(NodeTooOldError);
    expect(() => requireNodeForFauxqs('22.4.1')).toThrowError(/needs Node\.js 22\.5 or later, and this is 22\.4\.1\. Run 'export PATH=.*scripts\/node-path\.sh.*POSTBOX_EMULATOR=moto/);
    expect(() => requireNodeForFauxqs('22.5.0')).not.toThrow();
    expect(() => requireNodeForFauxqs('24.21.0')).not.toThrow();
  });
});
