#!/usr/bin/env node
// The det-deploy bin: the CLI is TypeScript (cli/), loaded through tsx so there is no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
