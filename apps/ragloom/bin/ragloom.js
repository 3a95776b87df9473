#!/usr/bin/env node
// The `ragloom` command. A committed shim, so package managers can link the bin before the CLI is built.
await import('../dist/cli/main.js');
