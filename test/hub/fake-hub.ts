// A local stand-in for the Hugging Face Hub over node:http, serving real files from folders. It speaks
// the endpoints core/hub uses (repo info, resolve with Range, parquet listing) and can misbehave on
// purpose: drop the connection midway, ignore Range, require a token.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface LoggedRequest {
  url: string;
  range: string | undefined;
  authorization: string | undefined;
}

export interface FakeHub {
  endpoint: string;
  requests: LoggedRequest[];
  /** Serve a model repo from a folder (every file under it, recursively). */
  addModel(id: string, dir: string): void;
  /** Serve a dataset repo from a folder, likewise. */
  addDataset(id: string, dir: string): void;
  /** Serve parquet files of a dataset subset/split. */
  addParquet(id: string, subset: string, split: string, files: Uint8Array[]): void;
  /** The next GET of a file (by repo-relative path) sends `bytes` bytes, then destroys the socket. */
  dropAfter(file: string, bytes: number): void;
  ignoreRange: boolean;
  requiredToken: string | undefined;
  close(): Promise<void>;
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

export async function startFakeHub(): Promise<FakeHub> {
  // `model:owner/name` / `dataset:owner/name` → folder served as that repo.
  const repos = new Map<string, string>();
  const parquet = new Map<string, Uint8Array[]>();
  const drops = new Map<string, number>();
  const requests: LoggedRequest[] = [];

  function sendBytes(
    request: IncomingMessage,
    response: ServerResponse,
    file: string,
    bytes: Uint8Array,
  ): void {
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    let start = 0;
    if (range && !hub.ignoreRange) {
      start = Number(range[1]);
      if (start >= bytes.byteLength) {
        response.writeHead(416, { 'content-range': `bytes */${bytes.byteLength}` }).end();
        return;
      }
      response.writeHead(206, {
        'content-length': bytes.byteLength - start,
        'content-range': `bytes ${start}-${bytes.byteLength - 1}/${bytes.byteLength}`,
      });
    } else {
      response.writeHead(200, { 'content-length': bytes.byteLength });
    }
    const body = bytes.subarray(start);
    const drop = drops.get(file);
    if (drop !== undefined) {
      drops.delete(file);
      // Flush part of the body, then kill the connection as a flaky network would.
      response.write(body.subarray(0, drop), () => response.socket?.destroy());
      return;
    }
    response.end(body);
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    requests.push({
      url: url.pathname,
      range: request.headers.range,
      authorization: request.headers.authorization,
    });
    if (hub.requiredToken && request.headers.authorization !== `Bearer ${hub.requiredToken}`) {
      response.writeHead(401).end('unauthorized');
      return;
    }
    const pathname = decodeURIComponent(url.pathname);
    const info = /^\/api\/(model|dataset)s\/([^/]+\/[^/]+)$/.exec(pathname);
    if (info) {
      const dir = repos.get(`${info[1]}:${info[2]}`);
      if (!dir) return void response.writeHead(404).end('Repository not found');
      // Like the Hub: sizes with ?blobs=true, and an LFS sha256 for large binary files.
      const withBlobs = url.searchParams.get('blobs') === 'true';
      const siblings = listFiles(dir).map((rfilename) => {
        if (!withBlobs) return { rfilename };
        const bytes = readFileSync(path.join(dir, rfilename));
        const lfs = rfilename.endsWith('.safetensors')
          ? { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength }
          : undefined;
        return { rfilename, size: bytes.byteLength, lfs };
      });
      return void response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ siblings }));
    }
    const listing = /^\/api\/datasets\/(.+)\/parquet\/([^/]+)\/([^/]+)$/.exec(pathname);
    if (listing) {
      const files = parquet.get(`${listing[1]}/${listing[2]}/${listing[3]}`);
      if (!files) return void response.writeHead(404).end('not found');
      const urls = files.map((_, i) => `${hub.endpoint}${url.pathname}/${i}.parquet`);
      return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(urls));
    }
    const parquetFile = /^\/api\/datasets\/(.+)\/parquet\/([^/]+)\/([^/]+)\/(\d+)\.parquet$/.exec(pathname);
    if (parquetFile) {
      const bytes = parquet.get(`${parquetFile[1]}/${parquetFile[2]}/${parquetFile[3]}`)?.[
        Number(parquetFile[4])
      ];
      if (!bytes) return void response.writeHead(404).end('not found');
      return sendBytes(
        request,
        response,
        `${parquetFile[2]}/${parquetFile[3]}/${parquetFile[4]}.parquet`,
        bytes,
      );
    }
    const resolve = /^\/(datasets\/)?([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(pathname);
    const dir = resolve ? repos.get(`${resolve[1] ? 'dataset' : 'model'}:${resolve[2]}`) : undefined;
    const file = resolve?.[4] ?? '';
    if (!dir || !listFiles(dir).includes(file)) {
      response.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('Entry not found');
      return;
    }
    sendBytes(request, response, file, readFileSync(path.join(dir, file)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const hub: FakeHub = {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    addModel: (id, dir) => void repos.set(`model:${id}`, dir),
    addDataset: (id, dir) => void repos.set(`dataset:${id}`, dir),
    addParquet: (id, subset, split, files) => void parquet.set(`${id}/${subset}/${split}`, files),
    dropAfter: (file, bytes) => void drops.set(file, bytes),
    ignoreRange: false,
    requiredToken: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return hub;
}
