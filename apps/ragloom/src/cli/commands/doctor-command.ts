import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isRagloomError } from '@ragloom/core';
import { DECODER_MODEL_FILE_NAMES, inspectModelFiles, MODEL_DTYPES } from '@ragloom/onnx-model';
import type { Command } from 'commander';
import { findConfigFile, type LoadedConfig, loadConfig } from '../../config/config-file.js';
import type { PluginReference } from '../../config/config-schema.js';
import {
  isCodeConfigFile,
  isModulePath,
  TRUST_CONFIG_ENV,
  userTrustsConfig,
} from '../../config/config-trust.js';
import { MISMATCH_HINT } from '../../index-set/committed-set.js';
import { describeHolder, readWriterLock } from '../../index-set/writer-lock.js';
import { stateChunkTotal } from '../../ingest/ingest-state.js';
import { loadPlugin } from '../../plugins/load-plugin.js';
import { isPathReference, modelFolderKind, resolveModelReference } from '../../runtime/model-path.js';
import { openRuntime, settingsFingerprint } from '../../runtime/open-runtime.js';
import type { GlobalOptions } from '../cli-context.js';
import { style, useColor } from '../terminal.js';

type Status = 'ok' | 'warn' | 'fail';

interface Check {
  readonly status: Status;
  readonly what: string;
  readonly fix?: string;
}

function hubCacheDir(loaded: LoadedConfig): string {
  const env = process.env;
  if (loaded.config.models.cacheDir) return resolve(loaded.dir, loaded.config.models.cacheDir);
  if (env.HF_HUB_CACHE) return resolve(env.HF_HUB_CACHE);
  return join(env.HF_HOME ? resolve(env.HF_HOME) : join(homedir(), '.cache', 'huggingface'), 'hub');
}

/**
 * An ONNX adapter's model: where it is, and the ONNX file (layout, dtype) the adapter would load — or which file
 * is missing and what to set instead — by onnx-model's own rules, without loading it.
 */
async function checkModel(loaded: LoadedConfig, where: string, ref: PluginReference): Promise<Check> {
  const options = ref.options as Record<string, unknown> | undefined;
  const model = options?.model;
  if (typeof model !== 'string') return { status: 'ok', what: `${where}: no local model needed` };
  const resolved = resolveModelReference(model, loaded.dir, loaded.modelsPath);
  const offline = loaded.config.models.offline || /^(1|true|yes|on)$/i.test(process.env.HF_HUB_OFFLINE ?? '');
  const dtype = MODEL_DTYPES.find((d) => d === options?.dtype);
  if (options?.dtype !== undefined && dtype === undefined) {
    return {
      status: 'fail',
      what: `${where}: dtype ${JSON.stringify(options.dtype)} is not one of ${MODEL_DTYPES.join(', ')}`,
      fix: `fix the ${where}'s "dtype" option`,
    };
  }
  const option = (key: string) => (typeof options?.[key] === 'string' ? (options[key] as string) : undefined);
  const report = await inspectModelFiles(resolved, {
    dtype,
    modelFileName: option('modelFileName'),
    subfolder: option('subfolder'),
    modelFile: option('modelFile'),
    revision: option('revision'),
    baseNames: where === 'generator' ? DECODER_MODEL_FILE_NAMES : undefined,
    cacheDir: hubCacheDir(loaded),
    offline,
  });
  const place = isPathReference(resolved) ? `${model} → ${resolved}` : model;
  if (report.status === 'problem') {
    // The hint ends in what to set ("...: set dtype 'q4f16'"); say where to set it.
    const hint = String(report.error.details.hint ?? '');
    const setting = /: (set .+)$/.exec(hint)?.[1];
    return {
      status: 'fail',
      what: `${where}: ${report.summary}`,
      fix: setting
        ? `${setting} in the ${where}'s options`
        : hint || 'put the model there, or set models.path / RAGLOOM_MODELS to the folder that holds it',
    };
  }
  if (report.status === 'ok') {
    const kind = isPathReference(resolved) ? modelFolderKind(resolved) : 'unknown';
    const cached = isPathReference(resolved) ? '' : ' (Hugging Face)';
    return {
      status: 'ok',
      what: `${where}: ${place}${cached}${kind === 'unknown' ? '' : ` (${kind})`}: ${report.summary}`,
    };
  }
  return {
    status: offline ? 'fail' : 'warn',
    what: `${where}: ${model} is not downloaded yet${offline ? ' and downloads are off (offline)' : ' (it downloads on first use)'}`,
    fix: loaded.modelsPath
      ? `no folder ${model} or its basename in ${loaded.modelsPath}; add it there or go online once`
      : 'set models.path (or RAGLOOM_MODELS) to a folder holding it, or run once with network access',
  };
}

async function runChecks(options: GlobalOptions): Promise<Check[]> {
  const checks: Check[] = [];
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  // engines: ^20.19.0 || >=22.12.0 (both lines can require() ESM; 21 and 22.0–22.11 cannot without a flag).
  const supported = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
  checks.push(
    supported
      ? { status: 'ok', what: `Node ${process.versions.node}` }
      : {
          status: 'fail',
          what: `Node ${process.versions.node} is not supported (ragloom needs ^20.19.0 || >=22.12.0)`,
          fix: 'install Node 24 or 22 (LTS); 20.19+ still works but is end-of-life',
        },
  );
  const trusted = userTrustsConfig(options.trustConfig);
  const trustFix = `if you trust this config, run with --trust-config or set ${TRUST_CONFIG_ENV}=1`;
  let loaded: LoadedConfig;
  try {
    const path = findConfigFile({ path: options.config });
    if (isCodeConfigFile(path) && !trusted) {
      checks.push({
        status: 'fail',
        what: `config ${path} is a module: loading it would run its code (not loaded)`,
        fix: `use ragloom.config.json, or ${trustFix}`,
      });
      return checks;
    }
    // Plugins by module path are listed (and loaded only when trusted) below.
    loaded = await loadConfig({ path, trustCode: true });
    checks.push({
      status: 'ok',
      what: `config ${loaded.path}${isCodeConfigFile(path) ? ' (a module: its code ran, trusted)' : ''}`,
    });
  } catch (error) {
    checks.push({
      status: 'fail',
      what: isRagloomError(error) ? error.message : String(error),
      fix: 'run `ragloom init` to write a config, or fix the fields named above',
    });
    return checks;
  }
  const { config } = loaded;
  checks.push(
    loaded.modelsPath
      ? existsSync(loaded.modelsPath)
        ? {
            status: 'ok',
            what: `model path ${loaded.modelsPath}${process.env.RAGLOOM_MODELS ? ' (from RAGLOOM_MODELS)' : ''}`,
          }
        : {
            status: 'fail',
            what: `model path ${loaded.modelsPath} does not exist`,
            fix: 'fix models.path or RAGLOOM_MODELS',
          }
      : { status: 'ok', what: 'model path: not set (models come from the Hugging Face cache or hub)' },
  );

  const references: [string, PluginReference][] = [
    ...(config.encoder ? ([['encoder', config.encoder]] as [string, PluginReference][]) : []),
    ...config.retrievers.map((r, i) => [`retrievers[${i}] (${r.name})`, r] as [string, PluginReference]),
    ...(config.reranker ? ([['reranker', config.reranker]] as [string, PluginReference][]) : []),
    ...(config.generator ? ([['generator', config.generator]] as [string, PluginReference][]) : []),
  ];
  let pluginsOk = true;
  for (const [where, ref] of references) {
    if (isModulePath(ref.use) && !trusted) {
      pluginsOk = false;
      checks.push({
        status: 'fail',
        what: `${where}: would run the file ${resolve(loaded.dir, ref.use)} (a module path; not loaded, the config is not trusted)`,
        fix: `install the plugin as a package, or ${trustFix}`,
      });
      continue;
    }
    try {
      const plugin = await loadPlugin(ref.use, { configDir: loaded.dir });
      const version = plugin.module.version ? `@${plugin.module.version}` : '';
      // Say exactly what code runs: the package and where it was found, or the file.
      const runs = plugin.module.packageDir
        ? `runs package ${plugin.module.packageName ?? ref.use}${version} from ${plugin.module.packageDir}`
        : `runs file ${plugin.module.entry}`;
      checks.push({
        status: 'ok',
        what: `${where}: ${ref.use}${version} (ragloomPlugin export; ${runs})`,
      });
    } catch (error) {
      pluginsOk = false;
      checks.push({
        status: 'fail',
        what: `${where}: ${isRagloomError(error) ? error.message : String(error)}`,
        fix: `install the package next to the config (npm install ${ref.use}) or fix "use"`,
      });
    }
    if (ref.options?.model !== undefined && /onnx/.test(ref.use))
      checks.push(await checkModel(loaded, where, ref));
  }

  try {
    mkdirSync(loaded.dataDir, { recursive: true });
    accessSync(loaded.dataDir, constants.W_OK);
    checks.push({ status: 'ok', what: `data dir ${loaded.dataDir} is writable` });
  } catch (error) {
    checks.push({
      status: 'fail',
      what: `data dir ${loaded.dataDir} is not writable (${(error as Error).message})`,
      fix: 'change dataDir or the folder permissions',
    });
  }

  if (pluginsOk) {
    try {
      const runtime = await openRuntime(loaded, { generator: false, tolerateMismatch: true });
      try {
        const set = runtime.indexSet;
        const problems = set.problems;
        let chunks = 0;
        for (const r of runtime.retrievers) {
          const m = r.retriever.manifest;
          const what =
            m.kind === 'dense'
              ? `dense, ${m.encoderModelId}, dim ${m.dimension}, ${m.metric}`
              : `sparse, ${m.analyzer}`;
          const count = set.counts.get(r.name) ?? (await r.retriever.count());
          chunks = Math.max(chunks, count);
          const own = problems.filter((p) => p.member === r.name);
          checks.push({
            status: own.length > 0 ? 'fail' : 'ok',
            what: `index ${r.name}: ${count} chunks (${what})${own.map((p) => `; ${p.message}`).join('')}`,
            fix: MISMATCH_HINT,
          });
        }
        for (const p of problems.filter(
          (p) => p.member === undefined || !runtime.retrievers.some((r) => r.name === p.member),
        ))
          checks.push({ status: 'fail', what: `index set: ${p.message}`, fix: MISMATCH_HINT });
        const state = set.state;
        const files = Object.keys(state.files);
        const documents = Object.keys(state.api).length;
        if (set.generation > 0) {
          checks.push({
            status: 'ok',
            what: `index set ${set.setId}: generation ${set.generation}, every member and the ingest state agree on it`,
          });
        } else if (files.length > 0) {
          checks.push({
            status: 'warn',
            what: 'the data dir was written by an older ragloom (no index set manifest yet)',
            fix: 'run `ragloom ingest <paths>` once: it turns the indexes into a checksummed index set',
          });
        }
        const missing = files.filter((f) => !existsSync(resolve(loaded.dir, f)));
        if (files.length === 0 && documents === 0 && chunks === 0) {
          checks.push({ status: 'warn', what: 'nothing ingested yet', fix: 'run `ragloom ingest <folder>`' });
        } else if (files.length === 0) {
          // `ragloom import` and HTTP /ingest add chunks without files on disk.
          checks.push({
            status: 'ok',
            what: `${chunks} chunks imported or sent over HTTP, no files ingested from disk`,
          });
        } else {
          checks.push({
            status: 'ok',
            what: `ingest state: ${files.length} files${documents > 0 ? `, ${documents} documents sent over HTTP` : ''}`,
          });
        }
        const expected = stateChunkTotal(state);
        const counted = [...set.counts.values()];
        if (set.generation > 0 && counted.some((n) => n !== expected)) {
          checks.push({
            status: 'warn',
            what: `the ingest state accounts for ${expected} chunks, the indexes hold ${counted.join(' / ')}`,
            fix: 'records added by `ragloom import` are not in the ingest state; `ragloom ingest --rebuild <paths>` makes them agree',
          });
        }
        if (missing.length > 0) {
          checks.push({
            status: 'warn',
            what: `${missing.length} ingested files no longer exist (e.g. ${missing[0]})`,
            fix: 'run `ragloom ingest` on their folder again to remove their chunks',
          });
        }
        if (files.length > 0 && state.settings !== settingsFingerprint(config)) {
          checks.push({
            status: 'warn',
            what: 'the chunker, encoder or retrievers changed since the last ingest',
            fix: 'run `ragloom ingest <paths>` again (every file is re-ingested)',
          });
        }
      } finally {
        await runtime.close();
      }
    } catch (error) {
      const message = isRagloomError(error) ? `[${error.code}] ${error.message}` : String(error);
      checks.push({
        status: 'fail',
        what: `cannot open the components: ${message}`,
        fix:
          isRagloomError(error, 'MANIFEST_MISMATCH') ||
          isRagloomError(error, 'INDEX_CORRUPT') ||
          isRagloomError(error, 'INDEX_MISMATCH')
            ? 'rebuild the index with `ragloom ingest --rebuild <paths>`'
            : 'see the message above',
      });
    }
    const lock = await readWriterLock(loaded.dataDir, { staleMs: config.lock.staleSeconds * 1000 }).catch(
      () => undefined,
    );
    if (lock) {
      checks.push(
        lock.stale
          ? {
              status: 'warn',
              what: `a writer lock was left by a process that is gone (${lock.staleReason})`,
              fix: 'nothing to do: the next writer removes it',
            }
          : { status: 'ok', what: `being written by ${describeHolder(lock)}` },
      );
    }
  }
  const keyEnv = config.server.apiKeyEnv;
  checks.push({
    status: 'ok',
    what: process.env[keyEnv]
      ? `server: API key required (from $${keyEnv})`
      : `server: no API key ($${keyEnv} unset); bind to 127.0.0.1 only or set it`,
  });
  return checks;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the config, plugins, models and indexes, and say how to fix what is wrong')
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const checks = await runChecks(globals);
      const color = useColor();
      const mark = {
        ok: style.green('✔', color),
        warn: style.yellow('!', color),
        fail: style.red('✖', color),
      };
      for (const c of checks) {
        process.stdout.write(`${mark[c.status]} ${c.what}\n`);
        if (c.fix && c.status !== 'ok') process.stdout.write(`  ${style.dim(`fix: ${c.fix}`, color)}\n`);
      }
      const failed = checks.filter((c) => c.status === 'fail').length;
      process.stdout.write(failed === 0 ? '\nno problems found\n' : `\n${failed} problem(s) found\n`);
      if (failed > 0) process.exitCode = 1;
    });
}
