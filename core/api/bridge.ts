// What the Electron preload exposes as `window.zo`: exactly the client Transport, nothing else.
import type { Transport } from './client.ts';

export type ZoBridge = Transport;
