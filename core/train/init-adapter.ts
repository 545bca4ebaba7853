// Continuing from an imported PEFT adapter (`initAdapter`): its tensors are a new run's starting
// parameters. The run's PEFT settings must describe the same adapter, or the run would train other
// tensors than it loaded; settings a new run leaves out are taken from the adapter.
import { importPeftAdapter, type ImportedAdapter } from '../peft/adapter-import.ts';
import { planPeft } from '../peft/plan.ts';
import { loadModel } from '../models/load.ts';
import type { LoadedModel } from '../models/types.ts';
import type { ParamTensor } from '../estimators/types.ts';
import { isPlainObject, PeftConfigSchema, RunConfigError, type PeftConfig } from './config.ts';
import { planConfigOf } from './peft-settings.ts';

/**
 * For a new run with `initAdapter`: the PEFT fields the input leaves out (all of them without a
 * `peft` section) are set to the adapter's, and the result is checked against the adapter. Returns
 * the completed input and a notice naming what was taken (null when the input set everything).
 */
export async function withAdapterPeft(
  input: unknown,
  source: string,
): Promise<{ input: unknown; notice: string | null }> {
  if (!isPlainObject(input) || typeof input.initAdapter !== 'string' || typeof input.model !== 'string')
    return { input, notice: null };
  const dir = input.initAdapter;
  const model = await loadModel(input.model);
  const adapter = importPeftAdapter(dir, model);
  const adapterPeft = runPeftOf(adapter);
  const given = isPlainObject(input.peft) ? input.peft : {};
  const fail = (message: string) => new RunConfigError(source, message);
  const taken = Object.entries(adapterPeft).filter(([key]) => key !== 'mode' && given[key] === undefined);
  const merged = PeftConfigSchema.safeParse({ ...adapterPeft, ...given });
  // A malformed peft section is left for the run config parser to report with every other field.
  if (!merged.success) return { input, notice: null };
  checkAdapterFits(merged.data, adapter, model, dir, fail);
  if (taken.length === 0) return { input, notice: null };
  const settings = taken.map(
    ([key, value]) => `${key} ${Array.isArray(value) ? value.join(',') : String(value)}`,
  );
  return {
    input: { ...input, peft: merged.data },
    notice: `PEFT settings taken from the adapter in ${dir}: ${adapterPeft.mode} ${settings.join(', ')}`,
  };
}

/**
 * The adapter's tensors in `trainables` order, for a run whose PEFT settings are `peft`. Throws,
 * naming the field, when those settings would train other tensors than the adapter holds.
 */
export function adapterStartParams(
  dir: string,
  model: LoadedModel,
  peft: PeftConfig,
  trainables: readonly { name: string }[],
): ParamTensor[] {
  const adapter = importPeftAdapter(dir, model);
  checkAdapterFits(peft, adapter, model, dir, (message) => new Error(`initAdapter: ${message}`));
  const byName = new Map(adapter.params.map((param) => [param.name, param]));
  return trainables.map(({ name }) => {
    const param = byName.get(name);
    if (!param) throw new Error(`initAdapter: the adapter in ${dir} has no tensor "${name}"`);
    return param;
  });
}

/** The adapter's settings as a run config's `peft` section. */
function runPeftOf(adapter: ImportedAdapter): PeftConfig {
  const { peft } = adapter;
  switch (peft.kind) {
    case 'lora':
      return {
        mode: 'lora',
        rank: peft.rank,
        alpha: peft.alpha,
        ...(peft.targets ? { targets: [...peft.targets] } : {}),
      };
    case 'prefix':
      return { mode: 'prefix', tokens: peft.tokens };
    default:
      // core/peft imports only LoRA and prefix adapters.
      throw new Error(`an imported adapter of kind ${peft.kind} cannot start a run`);
  }
}

/** Same mode, same size, and — for LoRA — the same adapted modules (targets may be spelled differently). */
function checkAdapterFits(
  peft: PeftConfig,
  adapter: ImportedAdapter,
  model: LoadedModel,
  dir: string,
  fail: (message: string) => Error,
): void {
  const own = runPeftOf(adapter);
  if (peft.mode !== own.mode)
    throw fail(mismatch(dir, `is a ${own.mode} adapter; the run's peft mode is ${peft.mode}`));
  if (peft.mode === 'prefix' && own.mode === 'prefix' && peft.tokens !== own.tokens)
    throw fail(mismatch(dir, `has ${own.tokens} virtual tokens; the run's peft.tokens is ${peft.tokens}`));
  if (peft.mode !== 'lora' || own.mode !== 'lora') return;
  if (peft.rank !== own.rank)
    throw fail(mismatch(dir, `has rank ${own.rank}; the run's peft.rank is ${peft.rank}`));
  if (peft.alpha !== own.alpha)
    throw fail(mismatch(dir, `has alpha ${own.alpha}; the run's peft.alpha is ${peft.alpha}`));
  const planned = new Set(planPeft(model, planConfigOf(peft, 0)).trainables.map((t) => t.name));
  const held = adapter.plan.trainables.map((t) => t.name);
  const missing = held.find((name) => !planned.has(name));
  const extra = [...planned].find((name) => !held.includes(name));
  if (missing || extra) {
    const targets = peft.targets ? `[${peft.targets.join(', ')}]` : "the model family's default";
    throw fail(
      mismatch(
        dir,
        missing
          ? `adapts a module the run's peft.targets ${targets} leaves out (${missing})`
          : `lacks a module the run's peft.targets ${targets} adapts (${extra})`,
      ),
    );
  }
}

function mismatch(dir: string, detail: string): string {
  return (
    `the adapter in ${dir} ${detail}; ` +
    "set the run's peft to match the adapter, or leave those settings out to take the adapter's"
  );
}
