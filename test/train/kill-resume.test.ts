// kill -9 in the middle of a run, then `zo-studio resume`: the resumed run must record exactly the
// losses of an uninterrupted run with the same config. Everything goes through the real CLI in child
// processes, so the kill is a real SIGKILL of the process that was training.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../core/store/run-store.ts';
import { sherlockConfig, tempHistory, type TempHistory } from './helpers.ts';

const cli = path.resolve(import.meta.dirname, '../../bin/zo-studio.js');

interface JsonEvent {
  type: string;
  run_id: string;
  [key: string]: unknown;
}

/** Runs the CLI with --json; `onEvent` may return true to SIGKILL the process right there. */
function runCli(
  args: string[],
  onEvent: (event: JsonEvent) => boolean = () => false,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; events: JsonEvent[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const events: JsonEvent[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as JsonEvent;
      events.push(event);
      if (onEvent(event)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, events, stderr }));
  });
}

let history: TempHistory;
let configFile: string;

beforeAll(() => {
  history = tempHistory();
  configFile = path.join(history.dir, 'run.json');
  writeFileSync(configFile, JSON.stringify(sherlockConfig({ budget: { steps: 40 } })));
});

afterAll(() => history.dispose());

function trainLosses(dbPath: string, runId: string): [number, number][] {
  const store = RunStore.open(dbPath);
  try {
    return store.metricSeries(runId, 'train_loss').map((point) => [point.step, point.value]);
  } finally {
    store.close();
  }
}

describe('kill -9 and resume', () => {
  it('continues on exactly the trajectory of an uninterrupted run', async () => {
    const db = ['--db', history.dbPath];
    const uninterrupted = await runCli(['train', '--config', configFile, ...db]);
    expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
    const summary = uninterrupted.events.at(-1) as JsonEvent;
    expect(summary).toMatchObject({ type: 'summary', status: 'completed', steps: 40, forward_passes: 80 });
    expect((summary.metrics as Record<string, number>).val_loss_final).toBeLessThan(
      (summary.metrics as Record<string, number>).val_loss_initial as number,
    );

    // Kill as soon as the checkpoint of step 20 is on disk and recorded: steps after it are lost.
    const killed = await runCli(['train', '--config', configFile, ...db], (event) => {
      return event.type === 'checkpoint' && (event.step as number) >= 20;
    });
    expect(killed.signal).toBe('SIGKILL');
    const runId = killed.events[0]?.run_id as string;
    expect(killed.events.some((e) => e.type === 'summary')).toBe(false);

    const resumed = await runCli(['resume', runId, ...db]);
    expect(resumed.code, resumed.stderr).toBe(0);
    // The newest recorded checkpoint: 20, or a later one written before the kill landed.
    const resumedFrom = resumed.events.find((e) => e.type === 'started')?.resumed_from_step as number;
    expect(resumedFrom).toBeGreaterThanOrEqual(20);
    expect(resumedFrom).toBeLessThan(40);
    expect(resumed.events.at(-1)).toMatchObject({ type: 'summary', status: 'completed', steps: 40 });

    const reference = trainLosses(history.dbPath, summary.run_id);
    expect(reference).toHaveLength(40);
    expect(trainLosses(history.dbPath, runId)).toEqual(reference);
    expect(resumed.events.at(-1)?.metrics).toEqual(summary.metrics);
  });
});
