// system.info from node:os. Execution providers are reported by the runtime module once it exists.
import { cpus, freemem, totalmem } from 'node:os';
import type { Handlers } from '../../api/methods.ts';
import type { StudioContext } from '../context.ts';

export function systemHandlers(context: StudioContext): Pick<Handlers, 'system.info'> {
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
        providers: null,
      };
    },
  };
}
