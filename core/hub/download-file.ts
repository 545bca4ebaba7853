// Resumable downloads into the cache. Bytes go to `<target>.partial`; an interrupted transfer continues
// from the partial's size with an HTTP Range request (on a dropped connection automatically, up to a few
// times; after an abort or a crash on the next call), and only a complete file is renamed into place, so
// a file at its final path is always whole.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, rename, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { ReadableStreamReadResult } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import { networkReason, responseError, type RepoFile } from './api.ts';
import { HubError } from './errors.ts';
import { hubHeaders, localPath, repoCacheDir, resolveUrl, type RepoRef } from './repo.ts';

export interface DownloadProgress {
  /** Repo-relative path of the file being fetched. */
  file: string;
  loadedBytes: number;
  /** null while the server has not said (no Content-Length). */
  totalBytes: number | null;
}

export interface DownloadOptions {
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

/** Dropped connections retried per file before giving up (the partial stays for a later resume). */
const MAX_ATTEMPTS = 5;

/** A transfer that ended early; retried from the bytes on disk. */
class InterruptedTransfer extends Error {}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

// `bytes 100-199/1000` → { start: 100, total: 1000 }; `bytes */1000` (a 416's answer) → { total: 1000 }.
function parseContentRange(header: string | null): { start: number | undefined; total: number | null } {
  const match = /^bytes (?:(\d+)-\d+|\*)\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (!match) return { start: undefined, total: null };
  return {
    start: match[1] === undefined ? undefined : Number(match[1]),
    total: match[2] === '*' || match[2] === undefined ? null : Number(match[2]),
  };
}

/** What is being fetched, for messages and checks: repo id, repo-relative path, and what the Hub lists. */
export interface RemoteFile {
  repo: string;
  file: string;
  size?: number;
  sha256?: string;
}

/** One HTTP attempt; returns when `partial` holds the whole file, throws InterruptedTransfer to retry. */
async function attempt(
  url: string,
  partial: string,
  who: RemoteFile,
  options: DownloadOptions,
): Promise<void> {
  const offset = await sizeOf(partial);
  // identity: a gzip-encoded body would be decoded by fetch and no longer match Content-Length or Range.
  const headers: Record<string, string> = { ...hubHeaders(), 'accept-encoding': 'identity' };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new InterruptedTransfer(`cannot reach ${new URL(url).host}: ${networkReason(error)}`, {
      cause: error,
    });
  }

  if (response.status === 416 && offset > 0) {
    // Nothing left after `offset`: either the partial is already whole, or the remote file changed.
    await response.body?.cancel();
    if (parseContentRange(response.headers.get('content-range')).total === offset) return;
    await truncate(partial, 0);
    throw new InterruptedTransfer('the partial file no longer matches the remote file');
  }
  if (!response.ok) throw responseError(who.repo, response, who.file);

  let start = 0;
  let total: number | null;
  if (response.status === 206) {
    const range = parseContentRange(response.headers.get('content-range'));
    if (range.start !== offset) {
      await response.body?.cancel();
      const message = `asked for bytes from ${offset} but the server sent a range from ${range.start}`;
      throw new HubError(who.repo, message, { file: who.file });
    }
    start = offset;
    total = range.total;
  } else {
    // 200: the server ignored Range (or there was none): start over.
    const length = response.headers.get('content-length');
    total = length === null ? null : Number(length);
  }

  const handle = await open(partial, start > 0 ? 'a' : 'w');
  let loaded = start;
  options.onProgress?.({ file: who.file, loadedBytes: loaded, totalBytes: total });
  try {
    const reader = response.body?.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array> | undefined;
      try {
        chunk = await reader?.read();
      } catch (error) {
        if (options.signal?.aborted) throw error;
        throw new InterruptedTransfer(`connection lost after ${loaded} bytes`, { cause: error });
      }
      if (!chunk || chunk.done) break;
      await handle.write(chunk.value);
      loaded += chunk.value.byteLength;
      options.onProgress?.({ file: who.file, loadedBytes: loaded, totalBytes: total });
    }
  } finally {
    await handle.close();
  }
  if (total !== null && loaded < total) {
    throw new InterruptedTransfer(`connection closed after ${loaded} of ${total} bytes`);
  }
  if (total !== null && loaded > total) {
    await truncate(partial, 0);
    throw new HubError(who.repo, `received ${loaded} bytes, more than the announced ${total}`, {
      file: who.file,
    });
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks a finished partial against the size and hash the Hub lists. A resumed download whose remote
 * file changed in between would otherwise splice two versions together unnoticed.
 */
async function verify(partial: string, who: RemoteFile): Promise<void> {
  const size = await sizeOf(partial);
  let problem: string | undefined;
  if (who.size !== undefined && size !== who.size) problem = `got ${size} bytes, the Hub lists ${who.size}`;
  else if (who.sha256 !== undefined && (await sha256Of(partial)) !== who.sha256) {
    problem = `SHA-256 differs from the Hub's ${who.sha256}`;
  }
  if (problem) {
    await rm(partial, { force: true });
    throw new HubError(who.repo, `${problem}; the download was discarded, run it again`, { file: who.file });
  }
}

async function download(
  url: string,
  target: string,
  who: RemoteFile,
  options: DownloadOptions,
): Promise<string> {
  if (existsSync(target)) {
    // Only complete, verified files are ever renamed to their final path.
    const size = await sizeOf(target);
    options.onProgress?.({ file: who.file, loadedBytes: size, totalBytes: size });
    return target;
  }
  await mkdir(path.dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  for (let tries = 1; ; tries++) {
    const before = await sizeOf(partial);
    try {
      await attempt(url, partial, who, options);
      break;
    } catch (error) {
      // Aborts, HTTP errors and local fs errors are final; only a lost or refused connection is retried.
      if (options.signal?.aborted || !(error instanceof InterruptedTransfer)) throw error;
      if (tries >= MAX_ATTEMPTS) {
        throw new HubError(
          who.repo,
          `download failed ${tries} times (last: ${error.message}); run it again to resume from the saved part`,
          { file: who.file, cause: error },
        );
      }
      // A transfer that made progress is resumed at once; one that made none backs off first.
      if ((await sizeOf(partial)) <= before) {
        await sleep(250 * 2 ** tries, undefined, { signal: options.signal });
      }
    }
  }
  await verify(partial, who);
  await rename(partial, target);
  return target;
}

/** Downloads in progress by target path: two writers appending to one .partial would corrupt it. */
const inFlight = new Map<string, Promise<string>>();

/**
 * Downloads `url` to `target` (resuming `<target>.partial` if present); returns `target`. A second call
 * for the same target while one runs shares its result (and reports no progress of its own).
 */
export function downloadToFile(
  url: string,
  target: string,
  who: RemoteFile,
  options: DownloadOptions = {},
): Promise<string> {
  const running = inFlight.get(target);
  if (running) return running;
  const started = download(url, target, who, options).finally(() => inFlight.delete(target));
  inFlight.set(target, started);
  return started;
}

/** Downloads one file of a repo into the cache (`repoCacheDir`); returns its local path. */
export async function downloadRepoFile(
  repo: RepoRef,
  file: string | RepoFile,
  cacheDir: string,
  options: DownloadOptions = {},
): Promise<string> {
  const remote = typeof file === 'string' ? { path: file } : file;
  const target = localPath(repoCacheDir(cacheDir, repo), repo, remote.path);
  const who: RemoteFile = { repo: repo.id, file: remote.path, size: remote.size, sha256: remote.sha256 };
  return downloadToFile(resolveUrl(repo, remote.path), target, who, options);
}
