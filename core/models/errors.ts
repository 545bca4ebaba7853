// The one error type the checkpoint loader throws for bad input. `file` names the offending file so the
// CLI and the UI can say where the problem is without a stack trace.
export class ModelLoadError extends Error {
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.name = 'ModelLoadError';
    this.file = file;
  }
}
