#!/usr/bin/env node
import { exitQuietlyOnClosedOutput } from './closed-output.js';
import { runCli } from './program.js';

exitQuietlyOnClosedOutput(process.stdout);
exitQuietlyOnClosedOutput(process.stderr);
const code = await runCli(process.argv);
process.exitCode = code;
