// Typed, checked access to the fields of a config.json. Every failure names the file and the field, so a
// hand-edited or unusual config gets an actionable message instead of a NaN deep in the graph builder.
import { ModelLoadError } from './errors.ts';

export class ConfigFields {
  constructor(
    readonly file: string,
    readonly raw: Record<string, unknown>,
  ) {}

  fail(message: string): never {
    throw new ModelLoadError(this.file, message);
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  /** A positive integer field; `fallback` is used when the field is absent or null. */
  int(key: string, fallback?: number): number {
    const value = this.has(key) ? this.raw[key] : fallback;
    if (value === undefined) this.fail(`field "${key}" is missing (expected a positive integer)`);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      this.fail(`field "${key}" is ${JSON.stringify(value)}; expected a positive integer`);
    }
    return value;
  }

  number(key: string, fallback?: number): number {
    const value = this.has(key) ? this.raw[key] : fallback;
    if (value === undefined) this.fail(`field "${key}" is missing (expected a number)`);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.fail(`field "${key}" is ${JSON.stringify(value)}; expected a finite number`);
    }
    return value;
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.has(key) ? this.raw[key] : fallback;
    if (typeof value !== 'boolean') {
      this.fail(`field "${key}" is ${JSON.stringify(value)}; expected true or false`);
    }
    return value;
  }

  string(key: string, fallback?: string): string {
    const value = this.has(key) ? this.raw[key] : fallback;
    if (typeof value !== 'string') this.fail(`field "${key}" is ${JSON.stringify(value)}; expected a string`);
    return value;
  }

  /** A token id; Llama 3 style configs list several EOS ids, of which the first is the canonical one. */
  tokenId(key: string): number | undefined {
    if (!this.has(key)) return undefined;
    const value = this.raw[key];
    const id = Array.isArray(value) ? value[0] : value;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      this.fail(`field "${key}" is ${JSON.stringify(value)}; expected a token id (non-negative integer)`);
    }
    return id;
  }

  /** Rejects a configuration the graph builders would silently compute wrong. */
  require(condition: boolean, key: string, allowed: string): void {
    if (!condition) {
      this.fail(`field "${key}" is ${JSON.stringify(this.raw[key])}; supported: ${allowed}`);
    }
  }
}
