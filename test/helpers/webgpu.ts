// Whether WebGPU tests can run here. On a machine without a Vulkan device they skip, saying why; CI sets
// ZO_REQUIRE_WEBGPU=1 (it installs Mesa's software Vulkan), so a broken GPU path fails there instead of
// skipping unnoticed.
import { probeEp } from '../../core/runtime/backend.ts';

export const webgpu = await probeEp('webgpu');

if (!webgpu.available) {
  if (process.env.ZO_REQUIRE_WEBGPU === '1')
    throw new Error(`WebGPU is required (ZO_REQUIRE_WEBGPU=1) but unavailable: ${webgpu.reason}`);
  console.warn(`WebGPU tests skipped: ${webgpu.reason}`);
}
