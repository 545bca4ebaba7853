// Listing calls of the Hub's public HTTP API (JSON over GET).
import { HubError } from './errors.ts';
import { checkRepoId, hubEndpoint, hubHeaders, type RepoRef } from './repo.ts';

/** Turns a failed response into a HubError that says what to do about it. */
export function responseError(
  repo: string,
  response: Response,
  file?: string,
  notFoundHint?: string,
): HubError {
  const { status } = response;
  const hint = notFoundHint ?? (file ? 'check the file name and revision' : 'check the repo id');
  const why =
    status === 404
      ? `not found on ${hubEndpoint()} (${hint})`
      : status === 401 || status === 403
        ? `access denied (HTTP ${status}); for a gated or private repo set HF_TOKEN to a token with access`
        : `the Hub answered HTTP ${status} ${response.statusText}`;
  return new HubError(repo, why, { file, status });
}

/** fetch() says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, ...) is on its cause. */
export function networkReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const detail =
    typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  return detail ? `${message} (${detail})` : message;
}

async function getJson(
  repo: string,
  url: string,
  signal?: AbortSignal,
  notFoundHint?: string,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { headers: hubHeaders(), signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new HubError(repo, `cannot reach ${url}: ${networkReason(error)}`, { cause: error });
  }
  if (!response.ok) throw responseError(repo, response, undefined, notFoundHint);
  try {
    return await response.json();
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new HubError(repo, `${url} did not return JSON`, { cause: error });
  }
}

/** One file of a repo revision, as the repo info lists it. */
export interface RepoFile {
  /** Repo-relative path. */
  path: string;
  /** Bytes, when the Hub reports it. */
  size?: number;
  /** SHA-256 of the content, which the Hub reports for LFS files (weights, parquet). */
  sha256?: string;
}

interface Sibling {
  rfilename?: unknown;
  size?: unknown;
  lfs?: { sha256?: unknown } | null;
}

/** Every file of a repo revision (the `siblings` of the repo info; `blobs=true` adds sizes and hashes). */
export async function listRepoFiles(repo: RepoRef, signal?: AbortSignal): Promise<RepoFile[]> {
  checkRepoId(repo.id);
  const base = `${hubEndpoint()}/api/${repo.kind}s/${repo.id}`;
  const url = repo.revision ? `${base}/revision/${encodeURIComponent(repo.revision)}` : base;
  const info = (await getJson(repo.id, `${url}?blobs=true`, signal)) as { siblings?: unknown } | null;
  const siblings = info?.siblings;
  if (!Array.isArray(siblings)) throw new HubError(repo.id, `${url} has no "siblings" list`);
  return siblings.map((sibling: Sibling | null) => {
    if (typeof sibling?.rfilename !== 'string') {
      throw new HubError(repo.id, `${url}: a sibling has no rfilename`);
    }
    const file: RepoFile = { path: sibling.rfilename };
    if (typeof sibling.size === 'number') file.size = sibling.size;
    if (typeof sibling.lfs?.sha256 === 'string') file.sha256 = sibling.lfs.sha256;
    return file;
  });
}

/** URLs of the Hub's parquet conversion of one subset/split of a dataset. */
export async function listParquetUrls(
  datasetId: string,
  subset: string,
  split: string,
  signal?: AbortSignal,
): Promise<string[]> {
  checkRepoId(datasetId);
  const url = `${hubEndpoint()}/api/datasets/${datasetId}/parquet/${encodeURIComponent(subset)}/${encodeURIComponent(split)}`;
  const hint = `check the dataset id, subset "${subset}" and split "${split}"`;
  const urls = await getJson(datasetId, url, signal, hint);
  if (!Array.isArray(urls) || !urls.every((entry) => typeof entry === 'string')) {
    throw new HubError(datasetId, `${url} did not return a list of parquet URLs`);
  }
  return urls;
}
