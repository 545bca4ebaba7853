// Debian's Chromium driven by playwright-core, with a throwaway profile, plus the built renderer the
// studio serves (rebuilt when renderer sources are newer than the build).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../server/serve-process.ts';

export const artifactsDir = join(projectRoot, 'test-artifacts', 'e2e');

function newestMtime(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const full = join(dir, entry.name);
      return entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    }),
  );
}

export function ensureRendererBuilt(): void {
  const built = join(projectRoot, 'out/renderer/index.html');
  const sources = Math.max(
    newestMtime(join(projectRoot, 'renderer')),
    newestMtime(join(projectRoot, 'core/api')),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [join(projectRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    {
      cwd: projectRoot,
      stdio: 'pipe',
    },
  );
}

export async function launchBrowser(): Promise<{ context: BrowserContext; page: Page }> {
  const profile = mkdtempSync(join(tmpdir(), 'zo-e2e-profile-'));
  // Playwright refuses --user-data-dir in args; the persistent context takes the profile instead.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}
