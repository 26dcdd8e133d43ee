#!/usr/bin/env node
import { postboxMain } from 'postbox/cli';

await postboxMain();
