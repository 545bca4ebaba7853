// Float32 buffers that worker threads can write: the bookkeeping pool (pool.ts) only splits work over
// buffers backed by a SharedArrayBuffer, because an ordinary ArrayBuffer cannot be seen from another
// thread without copying it (which would cost as much as the work itself).

/** True when `array`'s memory is shared with worker threads. */
export function isShared(array: Float32Array): boolean {
  return array.buffer instanceof SharedArrayBuffer;
}

/** A zero-filled Float32Array of `length` entries backed by a SharedArrayBuffer. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}
