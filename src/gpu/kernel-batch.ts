/**
 * What every environment kernel's binding needs, whatever the problem: storage buffers made from
 * layouts (src/gpu/layout.ts), one bind group over all of them, one pipeline per entry point,
 * dispatches of one invocation per environment copy, a status word through which the kernel
 * reports an illegal action, and readback through staging buffers that are reused step after
 * step. An environment's gpu.ts adds its constants and its meaning of the buffers.
 */

import { createStorageBuffer, readBuffers, upload, type StorageBuffer } from './buffers.js';
import type { GpuContext } from './device.js';
import { compileKernel, GpuKernelError, loadKernelSource } from './kernels.js';
import { wgslDeclarations, type BufferLayout } from './layout.js';

export type HostArray = Int32Array | Uint32Array | Float32Array;

export interface KernelBatchSpec<E extends string> {
  /** kernels/<kernel>.wgsl */
  readonly kernel: string;
  readonly numEnvs: number;
  /** Generated WGSL constants placed before the bindings and the kernel source. */
  readonly constants: string;
  /** Buffers in binding order; every field's offset becomes a WGSL constant. */
  readonly layouts: readonly Readonly<Record<string, BufferLayout>>[];
  readonly entryPoints: readonly E[];
  readonly workgroupSize?: number;
}

export class KernelBatch<E extends string> {
  readonly kernel: string;
  readonly numEnvs: number;
  /** Every buffer by its layout name. */
  readonly buffers: Readonly<Record<string, StorageBuffer>>;
  private readonly gpu: GpuContext;
  private readonly status: StorageBuffer;
  private readonly statusHost = new Uint32Array(1);
  private readonly pipelines: Record<E, GPUComputePipeline>;
  private readonly bindGroup: GPUBindGroup;
  private readonly workgroupSize: number;
  private readonly staging = new Map<string, GPUBuffer>();
  private lost: string | undefined;

  private constructor(
    gpu: GpuContext,
    spec: KernelBatchSpec<E>,
    parts: {
      buffers: Record<string, StorageBuffer>;
      status: StorageBuffer;
      pipelines: Record<E, GPUComputePipeline>;
      bindGroup: GPUBindGroup;
    },
  ) {
    this.gpu = gpu;
    this.kernel = spec.kernel;
    this.numEnvs = spec.numEnvs;
    this.workgroupSize = spec.workgroupSize ?? 64;
    this.buffers = parts.buffers;
    this.status = parts.status;
    this.pipelines = parts.pipelines;
    this.bindGroup = parts.bindGroup;
    void gpu.device.lost.then((info) => {
      this.lost = `${info.reason}: ${info.message}`;
    });
  }

  /** Creates the buffers (uploading each layout's current data), compiles, binds. */
  static async create<E extends string>(
    gpu: GpuContext,
    spec: KernelBatchSpec<E>,
  ): Promise<KernelBatch<E>> {
    const device = gpu.device;
    const layouts = spec.layouts.flatMap((l) => Object.values(l));
    const needed = layouts.length + 1;
    if (device.limits.maxStorageBuffersPerShaderStage < needed) {
      throw new GpuKernelError(
        `kernel '${spec.kernel}' needs ${needed} storage buffers per shader stage, this device allows ${device.limits.maxStorageBuffersPerShaderStage}`,
      );
    }
    const buffers: Record<string, StorageBuffer> = {};
    for (const l of layouts) {
      buffers[l.name] = createStorageBuffer(
        device,
        spec.kernel,
        l.name,
        l.byteLength,
        spec.numEnvs,
      );
      upload(device, buffers[l.name], l.data);
    }
    const status = createStorageBuffer(device, spec.kernel, 'status', 4, spec.numEnvs);
    const ordered = [...layouts.map((l) => buffers[l.name]), status];
    const access = [...layouts.map((l) => l.access), 'read_write'];
    const bindGroupLayout = device.createBindGroupLayout({
      label: `${spec.kernel}.bindings`,
      entries: ordered.map((_, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: access[binding] === 'read' ? 'read-only-storage' : 'storage' },
      })),
    });
    let binding = 0;
    const declarations = spec.layouts.map((l) => {
      const text = wgslDeclarations(l, binding);
      binding += Object.keys(l).length;
      return text;
    });
    const code = [
      `// Generated for kernels/${spec.kernel}.wgsl from its layouts and configuration.`,
      spec.constants,
      ...declarations,
      `@group(0) @binding(${binding}) var<storage, read_write> status: array<atomic<u32>>;`,
      loadKernelSource(spec.kernel),
    ].join('\n');
    const pipelines = (await compileKernel(
      device,
      `${spec.kernel} (batch ${spec.numEnvs})`,
      code,
      device.createPipelineLayout({ label: spec.kernel, bindGroupLayouts: [bindGroupLayout] }),
      spec.entryPoints,
      { WORKGROUP_SIZE: spec.workgroupSize ?? 64 },
    )) as Record<E, GPUComputePipeline>;
    const bindGroup = device.createBindGroup({
      label: `${spec.kernel}.bindings`,
      layout: bindGroupLayout,
      entries: ordered.map((b, i) => ({ binding: i, resource: { buffer: b.buffer } })),
    });
    return new KernelBatch(gpu, spec, { buffers, status, pipelines, bindGroup });
  }

  get device(): GPUDevice {
    if (this.lost !== undefined)
      throw new Error(
        `${this.kernel} (batch ${this.numEnvs}): the WebGPU device was lost (${this.lost})`,
      );
    return this.gpu.device;
  }

  buffer(name: string): StorageBuffer {
    const b = this.buffers[name];
    if (b === undefined) throw new Error(`${this.kernel}: no buffer named '${name}'`);
    return b;
  }

  upload(name: string, data: HostArray): void {
    upload(this.device, this.buffer(name), data);
  }

  /**
   * Submits the entry points in order, one invocation per copy each. The status word is not
   * cleared here: once an action was illegal, later steps do nothing until a read reports it.
   */
  run(entries: readonly E[]): void {
    const device = this.device;
    const encoder = device.createCommandEncoder({ label: `${this.kernel}.${entries.join('+')}` });
    for (const entry of entries) {
      const pass = encoder.beginComputePass({ label: `${this.kernel}.${entry}` });
      pass.setPipeline(this.pipelines[entry]);
      pass.setBindGroup(0, this.bindGroup);
      pass.dispatchWorkgroups(Math.ceil(this.numEnvs / this.workgroupSize));
      pass.end();
    }
    device.queue.submit([encoder.finish()]);
  }

  /**
   * Reads the named buffers into host arrays in one submission, with the status word. Returns
   * the status (0 when fine, else 1 + the index of a copy whose action was illegal) and clears a
   * nonzero one on the device, so that it is reported once.
   */
  async read(
    requests: readonly { readonly buffer: string; readonly target: HostArray }[],
    what: string,
  ): Promise<number> {
    await readBuffers(
      this.device,
      [
        ...requests.map((r) => ({ source: this.buffer(r.buffer), target: r.target })),
        { source: this.status, target: this.statusHost },
      ],
      `${this.kernel} ${what} (batch ${this.numEnvs})`,
      this.staging,
    );
    const status = this.statusHost[0];
    if (status !== 0) {
      this.statusHost[0] = 0;
      upload(this.device, this.status, this.statusHost);
    }
    return status;
  }

  /** Forgets an unreported illegal action (a reset starts afresh). */
  clearStatus(): void {
    this.statusHost[0] = 0;
    upload(this.device, this.status, this.statusHost);
  }

  /** Frees the buffers (the device belongs to the caller's GpuContext). */
  close(): void {
    for (const b of this.staging.values()) b.destroy();
    for (const b of [...Object.values(this.buffers), this.status]) b.buffer.destroy();
  }
}
