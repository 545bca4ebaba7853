// The studio end to end in Debian's Chromium against `zo-studio serve` with a fresh data directory:
// the wizard on stories260k + SST-2, a live run (curve grows, pause, resume, reload reattaches,
// finish), a second run with another estimator and update rule (ZO-Adam, an edited β₁), compare, export — screenshots of each stage in
// test-artifacts/e2e/. Also: the page has no Node, and the API refuses tokenless requests.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sst2Train, sst2Validation, stories260k } from '../server/fixtures.ts';
import { startServe, type ServeProcess } from '../server/serve-process.ts';
import { artifactsDir, launchBrowser } from './browser.ts';
import { ensureBuilt } from './build.ts';

let serve: ServeProcess;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  ensureBuilt();
  mkdirSync(artifactsDir, { recursive: true });
  serve = await startServe();
  ({ context, page } = await launchBrowser());
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  page.on('pageerror', (error) => consoleErrors.push(error.message));
});
afterAll(async () => {
  await context?.close();
  await serve?.stop();
});

const shot = (name: string) => page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
const next = () => page.getByRole('button', { name: 'Next', exact: true }).click();
const chartPoints = async (title: string) =>
  Number(await page.getByRole('figure', { name: title }).getAttribute('data-points'));
const status = () => page.locator('[data-status]').first().getAttribute('data-status');

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(250);
  }
}

/** Goes through all six wizard steps and starts the run; returns its id. */
async function runWizard(options: {
  estimator: string;
  /** An update rule to pick and settings to type into its fields; zo-sgd (the default) otherwise. */
  updateRule?: { id: string; name: string; settings: Record<string, string> };
  steps: number;
  screenshots: boolean;
  name: string;
}): Promise<string> {
  await page.getByRole('link', { name: 'New run' }).click();
  await page.getByLabel('Training data').fill(sst2Train);
  await page.getByLabel('Validation data (optional)').fill(sst2Validation);
  await expect
    .poll(() => page.getByRole('table', { name: 'rendered examples' }).locator('tbody tr').count(), {
      timeout: 60_000,
    })
    .toBe(5);
  await expect.poll(() => page.getByLabel('Task').textContent()).toContain('sst2');
  if (options.screenshots) await shot('02-wizard-dataset');
  await next();

  await page.getByLabel('Model folder').fill(stories260k);
  await page.getByText('Layers', { exact: true }).waitFor({ timeout: 60_000 });
  if (options.screenshots) await shot('03-wizard-model');
  await next();

  await page
    .getByText(/trainable ·/)
    .first()
    .waitFor();
  if (options.screenshots) await shot('04-wizard-peft');
  await next();

  await page.locator(`[data-estimator="${options.estimator}"]`).click();
  if (options.screenshots) await shot('05-wizard-estimator');
  if (options.updateRule) {
    // A step policy's passes show next to the estimator's before any rule is settled on.
    await page.locator('[data-update-rule="zo-sgd-cons"]').click();
    await expect
      .poll(() => page.locator('[data-step-cost]').textContent())
      .toBe('Each step costs 5 forward passes: 2 for the estimate + 3 for ZO-SGD-Cons (conservative).');
    const rule = options.updateRule;
    await page.locator(`[data-update-rule="${rule.id}"]`).click();
    // A setting that does not read as a number is flagged at the field, and clears once it does.
    const [firstSetting] = Object.keys(rule.settings);
    if (firstSetting) await page.getByLabel(`${rule.name} ${firstSetting}`).fill('0.8x');
    await page.getByText(/^expected a number — /).waitFor();
    for (const [name, value] of Object.entries(rule.settings))
      await page.getByLabel(`${rule.name} ${name}`).fill(value);
    expect(await page.getByText(/^expected a number — /).count()).toBe(0);
    await shot('05b-wizard-update-rule');
  }
  await next();

  await page.getByLabel('Budget (steps)').fill(String(options.steps));
  await page.getByLabel('Batch size').fill('4');
  await page.getByLabel('Evaluate every (steps)').fill('3');
  await page.getByLabel('Validation rows').fill('8');
  if (options.screenshots) await shot('06-wizard-training');
  await next();

  await page.getByLabel('Run name').fill(options.name);
  await page.getByText(/^Fits: needs about/).waitFor({ timeout: 90_000 });
  if (options.screenshots) await shot('07-wizard-review');
  const ruleRow = page.getByRole('row').filter({ hasText: /^Update rule/ });
  expect(await ruleRow.textContent()).toContain(options.updateRule?.id ?? 'zo-sgd');
  if (options.updateRule) await shot('07b-wizard-review-update-rule');
  await page.getByRole('button', { name: 'Start training' }).click();
  await page.waitForURL(/#\/runs\/[\w-]+$/, { timeout: 30_000 });
  return decodeURIComponent(page.url().split('#/runs/')[1]!);
}

// Steps share one browser session and run in order, like a user's session.
describe('ZO Studio in Chromium', () => {
  let firstRun = '';
  let secondRun = '';

  it('opens on the start page, and the page cannot reach Node or the API without the token', async () => {
    await page.goto(serve.url);
    await page.getByText('Welcome to ZO Studio').waitFor();
    const reach = await page.evaluate(async () => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      module: typeof (globalThis as { module?: unknown }).module,
      bridge: typeof (globalThis as { zo?: unknown }).zo,
      tokenless: (await fetch('/api/system.info', { method: 'POST', body: '{}' })).status,
      wrongToken: (await fetch('/api/system.info?token=guess', { method: 'POST', body: '{}' })).status,
    }));
    expect(reach).toEqual({
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      bridge: 'undefined',
      tokenless: 401,
      wrongToken: 401,
    });
    await shot('01-start');
    consoleErrors.length = 0; // the two 401s above were provoked on purpose
  });

  it('goes through the wizard and starts a run', async () => {
    firstRun = await runWizard({ estimator: 'mezo', steps: 10, screenshots: true, name: 'e2e mezo' });
    expect(firstRun).toMatch(/^[\w-]+$/);
  });

  it('shows the curve growing, pauses, resumes, reattaches after a reload and finishes', async () => {
    await waitUntil(async () => (await chartPoints('Loss')) >= 2, 'first loss points');
    const early = await chartPoints('Loss');
    await waitUntil(async () => (await chartPoints('Loss')) > early, 'the curve to grow');
    await shot('08-dashboard-live');

    await page.getByRole('button', { name: 'Pause' }).click();
    await waitUntil(async () => (await status()) === 'paused', 'paused status');
    const pausedAt = await chartPoints('Loss');
    await page.waitForTimeout(1500);
    expect(await chartPoints('Loss')).toBe(pausedAt); // nothing trains while paused
    await shot('09-dashboard-paused');

    await page.getByRole('button', { name: 'Resume' }).click();
    await waitUntil(async () => (await status()) === 'running', 'running again');
    await page.reload(); // the run lives in the backend: the page reattaches to it
    await waitUntil(async () => (await chartPoints('Loss')) >= pausedAt, 'history after reload');
    await waitUntil(async () => (await status()) === 'completed', 'completion', 180_000);
    await expect.poll(() => page.locator('[data-stat="Step"]').textContent()).toBe('10 / 10');
    await shot('10-dashboard-done');
  });

  it('runs a second run with another estimator and ZO-Adam with an edited β₁', async () => {
    secondRun = await runWizard({
      estimator: 'lozo',
      updateRule: { id: 'zo-adam', name: 'ZO-Adam', settings: { beta1: '0.8' } },
      steps: 6,
      screenshots: false,
      name: 'e2e lozo',
    });
    await waitUntil(async () => (await status()) === 'completed', 'second run completion', 180_000);
    // The run's details name the rule next to the estimator; the stored config has the edited β₁.
    await page.getByText(/· lozo \+ zo-adam ·/).waitFor();
    const response = await fetch(`${serve.origin}/api/runs.get?token=${serve.token}`, {
      method: 'POST',
      body: JSON.stringify({ id: secondRun }),
    });
    const run: unknown = await response.json();
    expect(run).toMatchObject({
      value: {
        run: { updateRule: 'zo-adam' },
        config: { optimizer: { id: 'zo-adam', settings: { beta1: 0.8 } } },
      },
    });
  });

  it('lists both runs and compares them', async () => {
    await page.getByRole('link', { name: 'Runs' }).click();
    const rows = page.getByRole('table', { name: 'runs' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByLabel('Filter').fill('lozo');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByLabel('Filter').fill('');
    await shot('11-runs');
    await page.getByLabel('select e2e mezo').check();
    await page.getByLabel('select e2e lozo').check();
    await page.getByRole('button', { name: /^Compare/ }).click();
    await page.waitForURL(/#\/compare\?ids=/);
    await waitUntil(async () => (await chartPoints('train loss')) === 16, 'both curves (10 + 6 points)');
    const diffTable = page.getByRole('table', { name: 'config differences' });
    await expect.poll(() => diffTable.textContent()).toContain('estimator.id');
    expect(await diffTable.textContent()).toContain('lozo');
    expect(await diffTable.textContent()).toContain('optimizer.id');
    expect(await diffTable.textContent()).toContain('zo-adam');
    await shot('12-compare');
  });

  it('exports the first run as a PEFT adapter', async () => {
    await page.goto(`${serve.url}#/runs/${firstRun}`);
    await page.getByRole('button', { name: 'Export…' }).click();
    const outDir = join(serve.dataDir, 'exported-adapter');
    await page.getByLabel('Output folder').fill(outDir);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page
      .getByRole('status')
      .getByText(/^Wrote 2 files/)
      .waitFor({ timeout: 60_000 });
    expect(existsSync(join(outDir, 'adapter_model.safetensors'))).toBe(true);
    expect(existsSync(join(outDir, 'adapter_config.json'))).toBe(true);
    await shot('13-export');
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('forks the first run from its last checkpoint', async () => {
    await page.getByRole('button', { name: 'Fork…' }).click();
    await page.getByLabel('Steps to train after it').fill('2');
    await shot('14-fork');
    await page.getByRole('button', { name: 'Start fork' }).click();
    await page.waitForURL((url) => url.hash.startsWith('#/runs/') && !url.hash.endsWith(firstRun));
    await waitUntil(async () => (await status()) === 'completed', 'fork completion');
    await expect.poll(() => page.locator('[data-stat="Step"]').textContent()).toBe('12 / 12');
  });

  it('generates with the base and the tuned model in the playground', async () => {
    await page.goto(`${serve.url}#/playground?run=${encodeURIComponent(firstRun)}`);
    await page.getByLabel('Prompt').fill('Once upon a time');
    await page.getByLabel('Max new tokens').fill('12');
    await page.getByRole('button', { name: 'Generate' }).click();
    await expect
      .poll(() => page.locator('[data-output="Tuned model"]').textContent(), { timeout: 60_000 })
      .not.toBe('');
    expect(await page.locator('[data-output="Base model"]').textContent()).not.toBe('');
    await shot('15-playground');
  });

  it('shows settings with this machine, and logged no page errors', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByText('This machine', { exact: true }).waitFor();
    await page.getByText(/^cpu: available/).waitFor({ timeout: 60_000 });
    await shot('16-settings');
    await page.getByLabel('Theme').click();
    await page.getByRole('option', { name: 'Dark' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved', { exact: true }).waitFor();
    await page.goto(`${serve.url}#/runs/${firstRun}`);
    await waitUntil(async () => (await chartPoints('Loss')) > 0, 'the dark dashboard');
    await shot('17-dashboard-dark');
    expect(consoleErrors).toEqual([]);
    expect(secondRun).not.toBe(firstRun);
  });
});
