import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { exitQuietlyOnClosedPipe } from '../../lib/cli/postbox-main.ts';
import { MINIMUM_NODE_VERSION, unsupportedNodeReason } from '../../lib/config/supported-node.ts';

describe('the postbox process', () => {
  it('ends quietly when the reader of its output closes the pipe (postbox status | head)', () => {
    const stdout = new EventEmitter();
    const exit = vi.fn();
    exitQuietlyOnClosedPipe(stdout, exit);
    stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exit).toHaveBeenCalledWith(0);
    expect(() => stdout.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }))).toThrow('write EIO');
  });

  it("claims in package.json's engines the oldest Node.js it accepts, and refuses an older one", () => {
    const manifest = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8'));
    expect(manifest.engines.node).toBe(`>=${MINIMUM_NODE_VERSION.replace(/\.0$/, '')}`);
    expect(unsupportedNodeReason(MINIMUM_NODE_VERSION)).toBeUndefined();
    expect(unsupportedNodeReason('22.17.1')).toMatch(/^Postbox needs Node\.js 22\.18 or later, and this is 22\.17\.1/);
    expect(unsupportedNodeReason('21.7.3')).toBeDefined();
    expect(unsupportedNodeReason('23.0.0')).toBeUndefined();
  });
});
