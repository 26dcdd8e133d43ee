#!/usr/bin/env node
// The `postbox` command of the package: runs the TypeScript entry through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./postbox.ts');
