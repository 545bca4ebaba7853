// `npm run bench -- <name> [args]`: runs scripts/bench/<name>.ts as its own process (benchmarks are
// standalone scripts; each prints its own table). Lists the benchmarks when the name is missing or wrong.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3))
  .sort();
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(
    `${name ? `unknown benchmark "${name}"; ` : ''}usage: npm run bench -- <${available.join('|')}> [options]\n`,
  );
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, `${name}.ts`), ...rest], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
