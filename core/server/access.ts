// Who may call the API of `serve`: a request must carry the per-launch token (query `token` or
// `Authorization: Bearer`), and a browser request must come from the studio's own origin. The Host
// check stops DNS-rebinding pages from talking to a loopback server under another name.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newAccessToken(): string {
  return randomBytes(24).toString('base64url');
}

export type AccessVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export interface AccessPolicy {
  token: string;
  /** host:port values this server answers to, e.g. 127.0.0.1:5173 and localhost:5173. */
  allowedHosts: ReadonlySet<string>;
}

function tokenOf(request: IncomingMessage, url: URL): string | null {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length);
  return url.searchParams.get('token');
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function checkApiAccess(request: IncomingMessage, url: URL, policy: AccessPolicy): AccessVerdict {
  const host = request.headers.host ?? '';
  if (!policy.allowedHosts.has(host))
    return { ok: false, status: 403, reason: `host ${host || '(none)'} not allowed` };
  // Non-browser clients (curl, scripts) send no Origin; browsers always do on POST and WebSocket.
  const origin = request.headers.origin;
  if (origin !== undefined && !policy.allowedHosts.has(originHost(origin))) {
    return { ok: false, status: 403, reason: `origin ${origin} not allowed` };
  }
  const token = tokenOf(request, url);
  if (!token || !sameToken(token, policy.token))
    return { ok: false, status: 401, reason: 'missing or wrong access token' };
  return { ok: true };
}

function originHost(origin: string): string {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' ? url.host : '';
  } catch {
    return '';
  }
}
