// The first-run starter in Chromium: one click downloads the recommended model and SST-2 from the Hub
// (a local stand-in serving the stories260k fixture under the starter's id and SST-2 rows as parquet),
// shows progress, and opens the wizard with both filled in. With the Hub unreachable it explains how
// to use local folders instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../hub/fake-hub.ts';
import { sst2Train, stories260k } from '../server/fixtures.ts';
import { startServe, type ServeProcess } from '../server/serve-process.ts';
import { artifactsDir, launchBrowser } from './browser.ts';
import { ensureBuilt } from './build.ts';

/** The first rows of the SST-2 fixture in the Hub's parquet layout (idx, sentence, label). */
function sst2Parquet(rows: number): Uint8Array {
  const lines = readFileSync(sst2Train, 'utf8').trim().split('\n').slice(0, rows);
  const parsed = lines.map((line) => JSON.parse(line) as { text: string; label: number });
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'idx', data: Int32Array.from(parsed.map((_, i) => i)), type: 'INT32' },
        { name: 'sentence', data: parsed.map((row) => row.text), type: 'STRING' },
        { name: 'label', data: BigInt64Array.from(parsed.map((row) => BigInt(row.label))), type: 'INT64' },
      ],
    }),
  );
}

let hub: FakeHub;
let online: ServeProcess;
let offline: ServeProcess;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  ensureBuilt();
  hub = await startFakeHub();
  hub.addModel('HuggingFaceTB/SmolLM2-135M', stories260k);
  hub.addParquet('stanfordnlp/sst2', 'default', 'train', [sst2Parquet(200)]);
  online = await startServe([], { HF_ENDPOINT: hub.endpoint });
  // Port 9 (discard) on loopback refuses connections: the Hub is "unreachable".
  offline = await startServe([], { HF_ENDPOINT: 'http://127.0.0.1:9' });
  ({ context, page } = await launchBrowser());
});
afterAll(async () => {
  await context?.close();
  await Promise.all([online?.stop(), offline?.stop(), hub?.close()]);
});

describe('first-run starter', () => {
  it('downloads the starter model and dataset with progress and opens the wizard with them', async () => {
    await page.goto(online.url);
    await page.getByRole('button', { name: 'Download starter model and dataset' }).click();
    await page.waitForURL(/#\/new$/, { timeout: 60_000 });
    expect(await page.getByLabel('Training data').inputValue()).toMatch(/stanfordnlp.*\.parquet$/);
    await expect
      .poll(() => page.getByRole('table', { name: 'rendered examples' }).locator('tbody tr').count(), {
        timeout: 60_000,
      })
      .toBe(5);
    expect(await page.getByLabel('Task').textContent()).toContain('sst2');
    await page.screenshot({ path: join(artifactsDir, 'starter-1-wizard-prefilled.png'), fullPage: true });
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    expect(await page.getByLabel('Model folder').inputValue()).toContain('SmolLM2-135M');
    await page.getByText('Layers', { exact: true }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(artifactsDir, 'starter-2-model.png'), fullPage: true });
  });

  it('explains how to use local folders when the Hub is unreachable', async () => {
    await page.goto(offline.url);
    await page.getByRole('button', { name: 'Download starter model and dataset' }).click();
    await page.getByText(/Without internet access you can still train/).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(artifactsDir, 'starter-3-offline.png'), fullPage: true });
  });
});
