// downloadModel: fetches what loadModel needs from a Hub model repo — config.json, the safetensors
// weights (one file, or the index and exactly the shards it lists) and the tokenizer files — into the
// cache, and returns the local folder.
import path from 'node:path';
import { INDEX_FILE, readShardIndex, SINGLE_FILE } from '../models/safetensors/checkpoint.ts';
import { listRepoFiles, type RepoFile } from './api.ts';
import { downloadRepoFile, type DownloadOptions } from './download-file.ts';
import { HubError } from './errors.ts';
import { checkRepoId, repoCacheDir, type RepoRef } from './repo.ts';

/** Fetched when the repo has them; the tokenizer ones are what core/models/tokenizer.ts reads. */
const OPTIONAL_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'generation_config.json',
];

export interface DownloadModelOptions extends DownloadOptions {
  /** Root of the download cache; the model lands in `repoCacheDir(cacheDir, repo)`. */
  cacheDir: string;
  /** Branch, tag or commit (default main). */
  revision?: string;
}

export async function downloadModel(id: string, options: DownloadModelOptions): Promise<string> {
  checkRepoId(id);
  const repo: RepoRef = { kind: 'model', id, revision: options.revision };
  const { cacheDir, ...fileOptions } = options;
  const listed = await listRepoFiles(repo, options.signal);
  const files = new Map<string, RepoFile>(listed.map((file) => [file.path, file]));
  if (!files.has('config.json')) {
    throw new HubError(id, 'has no config.json; is it a transformers model repo?');
  }

  let weightFiles: string[];
  if (files.has(INDEX_FILE)) {
    const indexPath = await downloadRepoFile(
      repo,
      files.get(INDEX_FILE) ?? INDEX_FILE,
      cacheDir,
      fileOptions,
    );
    weightFiles = [...new Set(readShardIndex(indexPath).values())];
    const missing = weightFiles.filter((shard) => !files.has(shard));
    if (missing.length > 0) {
      throw new HubError(id, `${INDEX_FILE} lists shards the repo lacks: ${missing.join(', ')}`);
    }
  } else if (files.has(SINGLE_FILE)) {
    weightFiles = [SINGLE_FILE];
  } else {
    const hint = listed.some((file) => file.path.endsWith('.bin'))
      ? ' (it has PyTorch .bin weights only, which are not supported)'
      : '';
    throw new HubError(id, `has no ${SINGLE_FILE} or ${INDEX_FILE}${hint}`);
  }

  const wanted = ['config.json', ...OPTIONAL_FILES.filter((file) => files.has(file)), ...weightFiles];
  for (const file of wanted) await downloadRepoFile(repo, files.get(file) ?? file, cacheDir, fileOptions);
  return path.resolve(repoCacheDir(cacheDir, repo));
}
