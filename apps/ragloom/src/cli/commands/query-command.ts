import type { Command } from 'commander';
import { parseFilterOption } from '../../runtime/filter-option.js';
import { locatePassage } from '../../runtime/source-location.js';
import { passageJson } from '../../server/citation-json.js';
import { type GlobalOptions, openCliRuntime } from '../cli-context.js';
import { excerpt, style, useColor } from '../terminal.js';

interface QueryOptions {
  readonly k?: string;
  readonly filter?: string;
  readonly json?: boolean;
}

export function registerQueryCommand(program: Command): void {
  program
    .command('query')
    .description('search the index: top-k passages with scores and sources')
    .argument('<question>', 'what to search for')
    .option('-k, --k <n>', 'number of hits (default: retrieval.topK)')
    .option('--filter <json>', 'metadata filter, e.g. \'{"type":"markdown"}\'')
    .option('--json', 'print JSON instead of a list')
    .addHelpText(
      'after',
      `
Examples:
  ragloom query "how do I configure the server port"
  ragloom query "分块" -k 3 --json
  ragloom query "ingest" --filter '{"source":{"$in":["docs/cli.md"]}}'`,
    )
    .action(async (question: string, options: QueryOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const k = options.k === undefined ? undefined : Number(options.k);
      const filter = parseFilterOption(options.filter);
      const runtime = await openCliRuntime(globals);
      try {
        const passages = await runtime.pipeline.retrieve(question, { k, filter });
        if (options.json) {
          // The shape of POST /search: one naming convention (snake_case) for CLI JSON and HTTP.
          const hits = passages.map(passageJson);
          process.stdout.write(`${JSON.stringify({ query: question, hits }, null, 2)}\n`);
          return;
        }
        const color = useColor();
        if (passages.length === 0) {
          process.stdout.write('no passages matched\n');
          return;
        }
        passages.forEach((p, i) => {
          const where = locatePassage(p);
          process.stdout.write(
            `${String(i + 1).padStart(2)}. ${style.dim(p.score.toFixed(4), color)}  ${style.cyan(where.label, color)}\n` +
              `    ${excerpt(p.text, 160)}\n`,
          );
        });
      } finally {
        await runtime.close();
      }
    });
}
