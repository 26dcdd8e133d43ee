#!/usr/bin/env node
// The `postbox` command of the package. tsx is registered first, so that a service's postbox.config.ts, topology
// and handlers load as TypeScript. Installed, `postbox/cli` is the package's built entry; in this repository
// tsconfig.json's paths make it the source.
import { register } from 'tsx/esm/api';

register();
const { postboxMain } = await import('postbox/cli');
await postboxMain();
