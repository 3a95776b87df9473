import { Command, CommanderError } from 'commander';
import { registerMcpCommand } from '../mcp/mcp-command.js';
import { printError } from './cli-context.js';
import { registerAskCommand } from './commands/ask-command.js';
import { registerChatCommand } from './commands/chat-command.js';
import { registerDemoCommand } from './commands/demo-command.js';
import { registerDoctorCommand } from './commands/doctor-command.js';
import { registerEvalCommand } from './commands/eval-command.js';
import { registerExportImportCommands } from './commands/export-import-command.js';
import { registerIngestCommand } from './commands/ingest-command.js';
import { registerInitCommand } from './commands/init-command.js';
import { registerQueryCommand } from './commands/query-command.js';
import { registerServeCommand } from './commands/serve-command.js';

export const APP_VERSION = '0.0.0';

/** The `ragloom` command line. */
export function createProgram(): Command {
  const program = new Command('ragloom')
    .description('Retrieval-augmented generation over your own documents: ingest, search, ask, serve.')
    .version(APP_VERSION, '-v, --version')
    .option(
      '-c, --config <file>',
      'config file (default: ragloom.config.json here or in a parent folder; env RAGLOOM_CONFIG)',
    )
    .option('-q, --quiet', 'print only results (no mode lines or progress notes)')
    .option(
      '--trust-config',
      'let the config run its own code: a .mjs/.js config, plugins by module path (env RAGLOOM_TRUST_CONFIG=1)',
    )
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Getting started:
  ragloom init                  write a commented ragloom.config.json
  ragloom ingest docs/          index a folder (again later: only changes are processed)
  ragloom ask "your question"   a streamed answer with [n] citations to file:line
  ragloom serve                 OpenAI-compatible API + web UI on http://127.0.0.1:8787 (MCP at /mcp)
  ragloom mcp                   the knowledge base as an MCP server on stdio (Claude Desktop, Cursor)
  ragloom demo                  try it on the bundled sample docs (no config, no network needed)

Environment: RAGLOOM_CONFIG (config file), RAGLOOM_MODELS (folder of local models),
RAGLOOM_API_KEY (server key), RAGLOOM_TRUST_CONFIG=1 (run the config's own code), HF_HUB_OFFLINE=1
(never download), NO_COLOR.

A config runs code only when you trust it: plugins named by npm package load as they are, but a module
config (.mjs/.js/.ts) or "use": "./file.mjs" needs --trust-config; \`ragloom doctor\` lists what would run.`,
    );
  registerInitCommand(program);
  registerIngestCommand(program);
  registerQueryCommand(program);
  registerAskCommand(program);
  registerChatCommand(program);
  registerServeCommand(program);
  registerMcpCommand(program);
  registerEvalCommand(program);
  registerExportImportCommands(program);
  registerDoctorCommand(program);
  registerDemoCommand(program);
  return program;
}

/** Runs the CLI; returns the exit code (errors are printed as `error [CODE] message`). */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  program.exitOverride();
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit with 0; usage errors were already printed by commander.
      return error.exitCode;
    }
    printError(error);
    return 1;
  }
}
