// The files of an HF model folder besides its weights (config, generation settings, tokenizer), which
// every merged export carries so the result loads and tokenizes on its own.
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const MODEL_FILES = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'tokenizer.model',
  'vocab.json',
  'merges.txt',
  'added_tokens.json',
  'chat_template.jinja',
];

/** Copies those of the files above that `fromDir` has into `toDir`; returns the copies' paths. */
export function copyModelFiles(fromDir: string, toDir: string): string[] {
  return MODEL_FILES.filter((name) => existsSync(join(fromDir, name))).map((name) => {
    copyFileSync(join(fromDir, name), join(toDir, name));
    return join(toDir, name);
  });
}
