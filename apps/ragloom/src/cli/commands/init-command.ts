import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { RagloomError } from '@ragloom/core';
import { writeFileAtomic } from '@ragloom/core/node';
import type { Command } from 'commander';
import { parse as parseJsonc } from 'jsonc-parser';
import { parseConfig } from '../../config/config-file.js';
import { CONFIG_PRESETS, type ConfigPreset, configTemplate } from '../../config/config-template.js';

interface InitOptions {
  readonly preset: string;
  readonly force?: boolean;
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('write a commented ragloom.config.json in a folder')
    .argument('[dir]', 'where to write it', '.')
    .option(
      '--preset <preset>',
      `local (ONNX models, hybrid search), offline (BM25, no models) or openai`,
      'local',
    )
    .option('--force', 'overwrite an existing config')
    .action(async (dir: string, options: InitOptions) => {
      if (!(CONFIG_PRESETS as readonly string[]).includes(options.preset)) {
        throw new RagloomError(
          'INVALID_ARGUMENT',
          `unknown preset "${options.preset}" (expected ${CONFIG_PRESETS.join(', ')})`,
        );
      }
      const path = resolve(dir, 'ragloom.config.json');
      if (existsSync(path) && !options.force) {
        throw new RagloomError('INVALID_ARGUMENT', `${path} already exists; pass --force to overwrite it`);
      }
      const text = configTemplate(options.preset as ConfigPreset);
      parseConfig(parseJsonc(text), path); // the template itself must always be valid
      await writeFileAtomic(path, text);
      process.stdout.write(
        `wrote ${path} (preset: ${options.preset})\n` +
          'next:\n  ragloom doctor            check the setup\n  ragloom ingest <folder>   index your documents\n' +
          '  ragloom ask "<question>"  ask them something\n',
      );
    });
}
