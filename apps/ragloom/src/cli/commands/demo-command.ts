import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isRagloomError } from '@ragloom/core';
import { writeFileAtomic } from '@ragloom/core/node';
import type { Command } from 'commander';
import { parseConfig, resolveConfigPaths } from '../../config/config-file.js';
import { checkHub, DEMO_CORPUS, DEMO_DIR, DEMO_QUESTIONS, planDemo } from '../../demo/demo-setup.js';
import { ingestFiles } from '../../ingest/ingest-files.js';
import { generationFor } from '../../runtime/answer-stream.js';
import { openRuntime, type RagloomRuntime } from '../../runtime/open-runtime.js';
import { printAnswerStream } from '../answer-printer.js';
import { downloadProgress, type GlobalOptions, warn } from '../cli-context.js';
import { createProgressBar } from '../progress-bar.js';
import { style, useColor } from '../terminal.js';

/** Errors that mean "these models cannot be used here", after which the demo runs offline instead. */
const MODEL_PROBLEMS = new Set([
  'MODEL_NOT_FOUND',
  'MODEL_INVALID',
  'DOWNLOAD_FAILED',
  'CHECKSUM_MISMATCH',
  'CONNECTION_ERROR',
]);

interface DemoOptions {
  readonly models?: string;
  readonly question?: string[];
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'ingest the bundled sample docs (English and Chinese) and answer a few questions with citations',
    )
    .option('--models <dir>', 'a folder of local models (default: $RAGLOOM_MODELS)')
    .option('--question <text...>', 'ask these instead of the built-in questions')
    .addHelpText(
      'after',
      `
Modes, chosen from what is available (the demo prints which one it uses):
  local models  RAGLOOM_MODELS (or --models) names a folder of models: hybrid BM25 + dense HNSW, local generator
  hub           no model folder, but huggingface.co answers: the default models are downloaded once
  offline       neither: BM25 retrieval and extractive answers (no network, no models needed)`,
    )
    .action(async (options: DemoOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const color = useColor();
      const say = (text: string) => process.stdout.write(`${text}\n`);
      const modelsSetting = options.models ?? process.env.RAGLOOM_MODELS?.trim();
      const modelsPath = modelsSetting ? resolve(modelsSetting) : undefined;
      let hub = { reachable: false, message: 'not checked (a model folder is set)' };
      if (!modelsPath) {
        process.stderr.write(
          'no model folder set (RAGLOOM_MODELS); checking whether Hugging Face is reachable…\n',
        );
        hub = await checkHub();
      }
      let plan = planDemo({ modelsPath, hubReachable: hub.reachable, hubCheck: hub.message });
      say(style.bold('ragloom demo', color));
      say(`mode: ${plan.mode} — ${plan.why}`);

      const open = async (): Promise<RagloomRuntime> => {
        const configPath = resolve(DEMO_DIR, 'ragloom.config.json'); // virtual: paths resolve against demo/
        const config = parseConfig(plan.config, 'demo config');
        const loaded = resolveConfigPaths(config, configPath, {
          ...process.env,
          RAGLOOM_MODELS: plan.modelsPath,
        });
        const runtime = await openRuntime(loaded, {
          generator: true,
          access: 'write',
          lockWaitMs: 60_000,
          onProgress: downloadProgress(),
          log: (level, message) => (level === 'warn' ? warn(message) : undefined),
        });
        await writeFileAtomic(
          `${plan.dataDir}/ragloom.config.json`,
          `${JSON.stringify(plan.config, null, 2)}\n`,
        );
        return runtime;
      };
      const openOrRebuild = async (): Promise<RagloomRuntime> => {
        try {
          return await open();
        } catch (error) {
          // The demo's index is a cache of the bundled docs: one from another version is simply rebuilt.
          if (
            !isRagloomError(error, 'INDEX_CORRUPT') &&
            !isRagloomError(error, 'INDEX_MISMATCH') &&
            !isRagloomError(error, 'MANIFEST_MISMATCH')
          )
            throw error;
          warn(`rebuilding the demo index (${error.message.split('\n')[0]})`);
          await rm(plan.dataDir, { recursive: true, force: true });
          return open();
        }
      };
      let runtime: RagloomRuntime;
      try {
        runtime = await openOrRebuild();
      } catch (error) {
        // Models that cannot be loaded (hub gone mid-way, a broken folder) still leave the offline demo.
        if (plan.mode === 'offline' || !isRagloomError(error) || !MODEL_PROBLEMS.has(error.code)) throw error;
        warn(
          `the models could not be loaded (${error.message.split('\n')[0]}); falling back to offline mode`,
        );
        plan = planDemo({
          hubReachable: false,
          hubCheck: 'the models could not be loaded',
          modelsFailed: true,
        });
        say(`mode: ${plan.mode} — ${plan.why}`);
        runtime = await openOrRebuild();
      }
      try {
        const mode = runtime.describeMode();
        say(`retrieval: ${mode.retrieval}`);
        say(`answers:   ${mode.answer}`);
        if (mode.answer.startsWith('generated')) {
          // Say it before the reader sees the output: a tiny story model's "answers" are stories.
          say(
            '           (only as good as the model: a small story model such as stories260k writes a story,',
          );
          say(
            '            not an answer; an instruct model such as SmolLM2-360M-Instruct answers with citations)',
          );
        }
        say(`index:     ${plan.dataDir}\n`);

        const bar = createProgressBar({ title: 'ingest', unit: 'docs' });
        const result = await ingestFiles(runtime, {
          paths: [DEMO_CORPUS],
          onWarning: (message) => {
            bar.clear();
            warn(message);
          },
          onProgress: (p) => {
            if (p.phase === 'ingesting' && p.documentsTotal > 0)
              bar.update(p.documentsDone, p.documentsTotal, `${p.chunks} chunks`);
          },
        });
        bar.done(
          `ingested the sample docs: ${result.added.length + result.updated.length} files indexed, ` +
            `${result.unchanged} unchanged (incremental), ${result.chunks} new chunks`,
        );

        for (const question of options.question ?? DEMO_QUESTIONS) {
          say(`\n${style.bold(`Q: ${question}`, color)}`);
          await printAnswerStream(
            runtime.pipeline.askStream(question, { generation: generationFor(runtime) }),
            {
              color,
            },
          );
        }
        say(
          `\n${style.dim(
            plan.mode === 'offline'
              ? 'This was the offline mode. For hybrid search and generated answers, point RAGLOOM_MODELS at a folder of\n' +
                  'ONNX models (e.g. all-MiniLM-L6-v2 and SmolLM2-360M-Instruct) or run with network access.'
              : 'Try your own documents: ragloom init && ragloom ingest <folder> && ragloom ask "<question>"',
            color,
          )}`,
        );
        if (!globals.quiet) say(style.dim(`config used: ${plan.dataDir}/ragloom.config.json`, color));
      } finally {
        await runtime.close();
      }
    });
}
