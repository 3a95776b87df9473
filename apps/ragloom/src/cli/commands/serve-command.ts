import type { Command } from 'commander';
import { bindError, checkBind, parsePort } from '../../server/bind-policy.js';
import { createRagloomServer } from '../../server/create-server.js';
import { type GlobalOptions, loadCliConfig, openCliRuntime, printError } from '../cli-context.js';
import { style, useColor } from '../terminal.js';
import { takeWriterLock } from '../writer-access.js';

interface ServeOptions {
  readonly host?: string;
  readonly port?: string;
  readonly logRequests?: boolean;
  readonly readOnly?: boolean;
  readonly wait?: string;
  readonly insecure?: boolean;
}

/** The address other processes on this machine use to reach a server bound to every interface. */
function localUrl(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve an OpenAI-compatible RAG API and a chat web UI')
    .option('--host <host>', 'interface to bind (default: server.host, 127.0.0.1)')
    .option('-p, --port <port>', 'port (default: server.port, 8787; 0 picks a free one)')
    .option('--log-requests', 'print one JSON line per request (time, method, path, status, ms, client)')
    .option('--insecure', 'serve a non-loopback --host without an API key (trusted networks only)')
    .option('--read-only', 'serve without writing: no /ingest; picks up what other processes commit')
    .option(
      '--wait <seconds>',
      'how long to wait while another process writes the index (default: lock.waitSeconds)',
    )
    .addHelpText(
      'after',
      `
Endpoints:
  POST /v1/chat/completions   RAG answers, OpenAI format (stream or not); citations in the "ragloom" field
  POST /v1/embeddings         embeddings from the configured encoder
  GET  /v1/models             "ragloom" (chat) and the encoder's model id
  POST /search                {"query", "k", "filter"} → passages with sources
  POST /ingest                {"documents": [{"id", "text", "metadata"}]} → indexed and saved
  POST /mcp                   Model Context Protocol (Streamable HTTP): search and ask tools, documents as resources
  GET  /healthz               liveness and mode
  GET  /                      the chat page

The server is the one writer of its data dir while it runs: \`ragloom ingest\` on the same data dir is
sent to it and committed here; import and export --to are refused until it stops. With --read-only it
writes nothing and moves to each generation another process commits.

Any OpenAI client works: new OpenAI({ baseURL: "http://127.0.0.1:8787/v1", apiKey: process.env.RAGLOOM_API_KEY }).
When $RAGLOOM_API_KEY (server.apiKeyEnv) is set, API routes need "Authorization: Bearer <key>" or
"x-api-key: <key>". Without a key the server binds loopback addresses only (unless --insecure).
JSON bodies must be sent as application/json; browser pages of other origins are refused unless listed
in server.cors; Host headers other than loopback names and IPs need server.allowedHosts (see SECURITY.md).
Ctrl-C shuts down gracefully: running requests get up to 10 s to finish.`,
    )
    .action(async (options: ServeOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const loaded = await loadCliConfig(globals);
      // Refuse a bad port or an open bind before taking the lock or loading models.
      const settings = loaded.config.server;
      const port = options.port === undefined ? settings.port : parsePort(options.port);
      const host = options.host ?? settings.host;
      const apiKey = process.env[settings.apiKeyEnv] || undefined;
      checkBind(host, apiKey !== undefined, options.insecure === true, settings.apiKeyEnv);
      const lock = options.readOnly
        ? undefined
        : await takeWriterLock(loaded, globals, {
            wait: options.wait,
            command: 'ragloom serve',
            role: 'server',
            alternative: 'serve it read-only beside the writer with `ragloom serve --read-only`',
          });
      let runtime: Awaited<ReturnType<typeof openCliRuntime>>;
      try {
        runtime = await openCliRuntime(globals, {
          generator: true,
          access: lock ? 'write' : 'read',
          lock,
        });
      } catch (error) {
        await lock?.release();
        throw error;
      }
      const color = useColor(process.stderr);
      const server = createRagloomServer(runtime, {
        apiKey,
        maxBodyBytes: settings.maxBodyBytes,
        requestTimeoutMs: settings.requestTimeoutMs,
        maxConcurrent: settings.maxConcurrent,
        webUi: settings.webUi,
        allowFileSources: settings.allowFileSources,
        allowedHosts: settings.allowedHosts,
        cors: settings.cors,
        headersTimeoutMs: settings.headersTimeoutMs,
        bodyTimeoutMs: settings.bodyTimeoutMs,
        minBodyBytesPerSecond: settings.minBodyBytesPerSecond,
        maxConnectionsPerClient: settings.maxConnectionsPerClient,
        maxConnections: settings.maxConnections,
        healthzGc: process.env.RAGLOOM_HEALTHZ_GC === '1',
        onRequest: options.logRequests ? (e) => process.stderr.write(`${JSON.stringify(e)}\n`) : undefined,
        onError: (error) => printError(error),
      });
      let url: string;
      try {
        url = await server.listen(port, host);
      } catch (error) {
        await runtime.close();
        await lock?.release();
        throw bindError(error, host, port);
      }
      await lock?.advertise({ url: localUrl(url) });
      const mode = runtime.describeMode();
      process.stderr.write(
        `${style.dim(`retrieval: ${mode.retrieval}\nanswer: ${mode.answer}`, color)}\n` +
          `${apiKey ? `API key required (from $${settings.apiKeyEnv})\n` : ''}` +
          `${lock ? '' : 'read-only: POST /ingest is refused; other processes write the index\n'}`,
      );
      process.stdout.write(`ragloom serving on ${url}  (web UI: ${url}/, API: ${url}/v1)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.stderr.write('shutting down: finishing running requests…\n');
          server
            .close()
            .catch(printError)
            .finally(() => resolve());
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await runtime.close();
      await lock?.release();
      process.stderr.write('stopped\n');
    });
}
