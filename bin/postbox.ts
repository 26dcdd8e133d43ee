#!/usr/bin/env node
import { postboxMain } from '../lib/cli/postbox-main.ts';

await postboxMain();
