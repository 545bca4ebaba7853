// The error the Hub client throws for anything the user can act on: a missing repo or file, a gated
// repo without a token, a server failure. It names the repo and file so the message stands on its own.
export class HubError extends Error {
  readonly repo: string;
  readonly file: string | undefined;
  /** HTTP status, when the failure was an HTTP response. */
  readonly status: number | undefined;

  constructor(
    repo: string,
    message: string,
    options: { file?: string; status?: number; cause?: unknown } = {},
  ) {
    super(`${repo}${options.file ? ` (${options.file})` : ''}: ${message}`, { cause: options.cause });
    this.name = 'HubError';
    this.repo = repo;
    this.file = options.file;
    this.status = options.status;
  }
}
