#!/usr/bin/env node
// The `keyholder` command line (package.json "bin"): the commands live in cli/ (cli/main.ts), `keyholder --help`.
import { run } from '../cli/main.ts';

process.exitCode = await run(process.argv.slice(2));
