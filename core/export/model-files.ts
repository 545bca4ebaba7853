// The files of an HF model folder besides its weights (config, generation settings, tokenizer), which
// every merged export carries so the result loads and tokenizes on its own.
import { chmodSync, copyFileSync, existsSync } from 'node:fs';
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
    const copy = join(toDir, name);
    copyFileSync(join(fromDir, name), copy);
    // copyFileSync keeps the source's mode; a read-only source (a shared cache, a mounted volume) must
    // not make the user's export read-only.
    chmodSync(copy, 0o644);
    return copy;
  });
}
