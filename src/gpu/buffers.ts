/**
 * Storage buffers checked against the device's limits, and readback into host typed arrays.
 * Readback happens only where a caller asks for it (docs/design.md: observations stay on the device
 * when the agent runs there).
 */

export class GpuLimitError extends Error {
  override readonly name = 'GpuLimitError';
}

export interface StorageBuffer {
  readonly label: string;
  readonly buffer: GPUBuffer;
  readonly byteLength: number;
}

/** Bytes rounded up to WebGPU's copy alignment of 4. */
const aligned = (bytes: number): number => Math.ceil(bytes / 4) * 4;

/**
 * A storage buffer for `byteLength` bytes; throws GpuLimitError naming the kernel, the buffer and
 * the batch size when the device cannot bind that much.
 */
export function createStorageBuffer(
  device: GPUDevice,
  kernel: string,
  label: string,
  byteLength: number,
  numEnvs: number,
): StorageBuffer {
  const size = aligned(Math.max(byteLength, 4));
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  if (size > limit) {
    const perCopy = size / numEnvs;
    throw new GpuLimitError(
      `kernel '${kernel}': buffer '${label}' needs ${(size / 2 ** 20).toFixed(1)} MiB for a batch of ${numEnvs}, ` +
        `but this device binds at most ${(limit / 2 ** 20).toFixed(1)} MiB per buffer; use a batch of at most ${Math.floor(limit / perCopy)} copies`,
    );
  }
  const buffer = device.createBuffer({
    label: `${kernel}.${label}`,
    size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  return { label, buffer, byteLength: size };
}

export function upload(device: GPUDevice, target: StorageBuffer, data: ArrayBufferView): void {
  device.queue.writeBuffer(target.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
}

export interface ReadRequest {
  readonly source: StorageBuffer;
  /** Host array receiving the first `target.byteLength` bytes of the buffer. */
  readonly target: Int32Array | Uint32Array | Float32Array;
}

/**
 * Copies several buffers to the host in one submission. `what` names the operation in the error
 * raised when the device is lost or the copy does not finish within `timeoutMs`. Staging buffers
 * are kept in `staging` (keyed by source and size) so that a loop that reads back every step does
 * not allocate every step.
 */
export async function readBuffers(
  device: GPUDevice,
  requests: readonly ReadRequest[],
  what: string,
  staging: Map<string, GPUBuffer> = new Map(),
  timeoutMs = 120_000,
): Promise<void> {
  const encoder = device.createCommandEncoder({ label: `${what}: readback` });
  const buffers = requests.map((r) => {
    const size = aligned(r.target.byteLength);
    const key = `${r.source.label}:${size}`;
    let buffer = staging.get(key);
    if (buffer === undefined) {
      buffer = device.createBuffer({
        label: `staging ${key}`,
        size,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      staging.set(key, buffer);
    }
    encoder.copyBufferToBuffer(r.source.buffer, 0, buffer, 0, size);
    return buffer;
  });
  device.queue.submit([encoder.finish()]);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the GPU did not finish within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([Promise.all(buffers.map((b) => b.mapAsync(GPUMapMode.READ))), timeout]);
  } catch (err) {
    for (const b of buffers) if (b.mapState === 'mapped') b.unmap();
    throw new Error(`${what}: readback failed (${(err as Error).message})`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  requests.forEach((r, i) => {
    const mapped = buffers[i].getMappedRange(0, aligned(r.target.byteLength));
    new Uint8Array(r.target.buffer, r.target.byteOffset, r.target.byteLength).set(
      new Uint8Array(mapped, 0, r.target.byteLength),
    );
    buffers[i].unmap();
  });
}
