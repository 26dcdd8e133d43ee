#!/usr/bin/env node
// The `postbox` command of the package. tsx is registered first, so that a service's postbox.config.ts, topology
// and handlers load as TypeScript. In this repository the command runs from source; installed, from dist/.
import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const source = new URL('../lib/cli/postbox-main.ts', import.meta.url);
const { postboxMain } = await import(existsSync(source) ? source.href : new URL('../dist/cli/postbox-main.js', import.meta.url).href);
await postboxMain();
