// Worker-thread entry in a source checkout: registers tsx (the project's TypeScript uses constructor
// parameter properties, which Node's built-in type stripping refuses), then runs worker.ts. A bundled
// build (Electron) starts its compiled worker instead.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
