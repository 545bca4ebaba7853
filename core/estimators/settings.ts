// Settings of estimators and update rules: each is a strict zod object whose fields carry a default
// and a one-line `.describe()` help. These helpers turn such a schema into the rows the CLI and wizard
// show, and user input into a validated config with errors that name the field.
import { z } from 'zod';

export type SettingValue = number | string | boolean;

export interface SettingInfo {
  name: string;
  help: string;
  default: SettingValue;
}

/** Field names, defaults and help texts of a strict zod object schema with defaults. */
export function describeSettings(schema: z.ZodType): SettingInfo[] {
  const json = z.toJSONSchema(schema) as {
    properties?: Record<string, { default?: SettingValue; description?: string }>;
  };
  return Object.entries(json.properties ?? {}).map(([name, field]) => ({
    name,
    help: field.description ?? '',
    default: field.default as SettingValue,
  }));
}

/** Validated settings as a readable one-line error: `estimator lozo: rank: expected an integer`. */
export function parseSettings<C>(kind: string, id: string, schema: z.ZodType<C>, settings: unknown): C {
  const result = schema.safeParse(settings ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.join('.') : '(settings)';
    return `${where}: ${issue.message}`;
  });
  throw new Error(`${kind} ${id}: invalid settings: ${issues.join('; ')}`);
}
