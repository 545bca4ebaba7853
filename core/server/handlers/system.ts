// system.info from node:os; system.providers from the runtime's provider probe (core/runtime).
import { cpus, freemem, totalmem } from 'node:os';
import { EXECUTION_PROVIDERS, probeEp } from '../../runtime/backend.ts';
import type { Handlers } from '../../api/methods.ts';
import type { StudioContext } from '../context.ts';

export function systemHandlers(context: StudioContext): Pick<Handlers, 'system.info' | 'system.providers'> {
  return {
    'system.info': async () => {
      const cores = cpus();
      return {
        appVersion: context.appVersion,
        platform: process.platform,
        arch: process.arch,
        cpuCount: Math.max(1, cores.length),
        cpuModel: cores[0]?.model.trim() ?? 'unknown',
        totalMemoryBytes: totalmem(),
        freeMemoryBytes: freemem(),
        dataDir: context.dataDir,
      };
    },
    'system.providers': async () => {
      const statuses = await Promise.all(EXECUTION_PROVIDERS.map((ep) => probeEp(ep)));
      return {
        providers: statuses.map((status) => ({
          name: status.ep,
          available: status.available,
          detail: status.reason ?? (status.available ? 'starts and runs a test kernel' : 'unavailable'),
        })),
      };
    },
  };
}
