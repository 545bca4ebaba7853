#!/usr/bin/env node
// Entry for `npx zo-studio` in a checkout: runs the TypeScript CLI through tsx, so no build step is
// needed. The packaged app runs the bundled out/main/cli.js instead.
import { register } from 'tsx/esm/api';

register();
await import('../core/cli/index.ts');
