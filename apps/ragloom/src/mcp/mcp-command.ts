import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Command } from 'commander';
import { type GlobalOptions, openCliRuntime, printError } from '../cli/cli-context.js';
import { createRagloomMcpServer, newestRuntime } from './mcp-server.js';

/** `ragloom mcp`: the knowledge base as an MCP server on stdin/stdout, for Claude Desktop, Cursor, IDE agents. */
export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('serve the knowledge base to AI agents over the Model Context Protocol (stdio)')
    .addHelpText(
      'after',
      `
Tools: search (query, k, filter) → passages with source, lines and score;
       ask (question, k, filter) → an answer with numbered citations (extractive without a generator).
Resources: every indexed document, as ragloom://documents/<id>.

MCP client config (Claude Desktop, Cursor):
  { "mcpServers": { "ragloom": { "command": "node",
      "args": ["/path/to/ragloom/apps/ragloom/bin/ragloom.js", "mcp", "-c", "/path/to/ragloom.config.json"] } } }
Over HTTP instead: \`ragloom serve\` answers MCP at POST /mcp (with the same API key as /v1).
Stdout carries the protocol; messages go to stderr.`,
    )
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      // Progress and mode lines go to stderr; stdout belongs to the protocol.
      const runtime = await openCliRuntime({ ...globals, quiet: true }, { generator: true });
      // Each call sees what other processes (ragloom ingest, a server) committed since the last one.
      const server = createRagloomMcpServer(newestRuntime(runtime, printError));
      const transport = new StdioServerTransport();
      const closed = new Promise<void>((resolve) => {
        transport.onclose = () => resolve();
        process.stdin.once('end', () => resolve());
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await server.connect(transport);
      process.stderr.write(`ragloom MCP server on stdio (answer: ${runtime.describeMode().answer})\n`);
      await closed;
      await server.close();
      await runtime.close();
    });
}
