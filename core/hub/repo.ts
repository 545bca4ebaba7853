// Hub repos: id validation, the HTTP endpoint and token, and the URLs and cache paths derived from them.
import path from 'node:path';
import { HubError } from './errors.ts';

export type RepoKind = 'model' | 'dataset';

export interface RepoRef {
  kind: RepoKind;
  /** `owner/name` (or a legacy single-segment name such as `gpt2`). */
  id: string;
  /** Branch, tag or commit; `main` when omitted. */
  revision?: string;
}

const REPO_ID = /^[\w][\w.-]*(\/[\w][\w.-]*)?$/;

export function checkRepoId(id: string): void {
  if (!REPO_ID.test(id) || id.includes('..')) {
    throw new HubError(id, 'is not a Hub repo id; expected owner/name (letters, digits, ".", "-", "_")');
  }
}

/** The Hub endpoint; HF_ENDPOINT overrides it (mirrors, and tests pointing at a local server). */
export function hubEndpoint(): string {
  return (process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
}

/** Authorization for gated and private repos, from HF_TOKEN as the official clients read it. */
export function hubHeaders(): Record<string, string> {
  const token = process.env.HF_TOKEN;
  return token ? { authorization: `Bearer ${token}` } : {};
}

function encodePath(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

/** `{endpoint}/{id}/resolve/{rev}/{file}`; dataset repos live under `/datasets/`. */
export function resolveUrl(repo: RepoRef, file: string): string {
  const prefix = repo.kind === 'dataset' ? '/datasets' : '';
  const revision = encodeURIComponent(repo.revision ?? 'main');
  return `${hubEndpoint()}${prefix}/${repo.id}/resolve/${revision}/${encodePath(file)}`;
}

/** The cache folder of one revision of a repo: `{cacheDir}/{models|datasets}--owner--name/{revision}`. */
export function repoCacheDir(cacheDir: string, repo: RepoRef): string {
  const folder = `${repo.kind}s--${repo.id.replaceAll('/', '--')}`;
  return path.join(cacheDir, folder, (repo.revision ?? 'main').replaceAll('/', '--'));
}

/** A repo-relative file path as a local path under `dir`, refusing anything that would leave it. */
export function localPath(dir: string, repo: RepoRef, file: string): string {
  const target = path.resolve(dir, file);
  if (file.startsWith('/') || !target.startsWith(path.resolve(dir) + path.sep)) {
    throw new HubError(repo.id, 'file path leaves the download folder; refusing to write it', { file });
  }
  return target;
}
