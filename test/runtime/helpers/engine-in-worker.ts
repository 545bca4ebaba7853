// Worker entry for engine-worker.test.ts: loads a model, builds an Engine and runs one forward pass
// inside a worker_thread, then posts the losses back (ORT's run blocks whichever thread calls it).
import { parentPort, workerData } from 'node:worker_threads';
import { loadModel } from '../../../core/models/load.ts';
import { Engine, type Batch } from '../../../core/runtime/engine.ts';

const { modelDir, batch } = workerData as { modelDir: string; batch: Batch };
const engine = await Engine.create(await loadModel(modelDir), { peft: { kind: 'lora', rank: 2, alpha: 4 } });
const out = await engine.forward(batch, engine.initialParams());
await engine.dispose();
parentPort?.postMessage({ loss: out.loss, ep: engine.ep });
