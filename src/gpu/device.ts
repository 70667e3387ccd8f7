/**
 * WebGPU device acquisition (docs/webgpu.md).
 *
 * Node has no WebGPU of its own; the `webgpu` package (Dawn) provides it. The order tried:
 * 1. a real GPU through Dawn's default backend (Vulkan on Linux, Metal, D3D12);
 * 2. Dawn's OpenGL ES backend in compatibility mode on Mesa's llvmpipe, which runs the same WGSL on
 *    the CPU (needs Debian's libegl1, libegl-mesa0 and libgl1-mesa-dri);
 * 3. otherwise a `NoWebGpuError` that says what to install.
 * `--gpu` on the command line or SCHEDRL_GPU=default|opengles picks one of the two directly.
 *
 * The object that `create()` returns keeps a Node process alive, so every acquired device must be
 * released (`GpuContext.release`); the CLI and the tests do so.
 */

export type GpuBackendChoice = 'auto' | 'default' | 'opengles';

export const GPU_BACKEND_CHOICES: readonly GpuBackendChoice[] = ['auto', 'default', 'opengles'];

/** What adapter was chosen, for logs and benchmark output. */
export interface AdapterDescription {
  /** `default` (a real GPU or the platform's native API) or `opengles` (Mesa llvmpipe fallback). */
  readonly backend: Exclude<GpuBackendChoice, 'auto'>;
  readonly featureLevel: 'core' | 'compatibility';
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** True when the adapter is a software rasterizer (llvmpipe, SwiftShader, lavapipe). */
  readonly software: boolean;
}

export interface GpuContext {
  /** Dawn's instance. Held here on purpose: if it is garbage-collected while the device is in use, Dawn crashes. */
  readonly gpu: GPU;
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  readonly info: AdapterDescription;
  /** Destroys the device and drops Dawn's instance so that the process can exit. */
  release(): void;
}

export class NoWebGpuError extends Error {
  override readonly name = 'NoWebGpuError';
}

const INSTALL_HINT =
  'schedrl needs a WebGPU adapter for --backend webgpu. On a machine with a GPU, install its Vulkan driver ' +
  '(e.g. mesa-vulkan-drivers or the vendor driver). Without a GPU, install Mesa for the OpenGL ES fallback: ' +
  'apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri. The CPU backend (--backend cpu) needs neither.';

/** Storage-buffer limits that the kernels need; compatibility mode's defaults are too low. */
const WANTED_LIMITS = [
  'maxStorageBuffersPerShaderStage',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension',
] as const;

/** Reads the backend choice from SCHEDRL_GPU, or `auto`. */
export function backendFromEnvironment(): GpuBackendChoice {
  const v = process.env.SCHEDRL_GPU;
  if (v === undefined || v === '') return 'auto';
  if ((GPU_BACKEND_CHOICES as readonly string[]).includes(v)) return v as GpuBackendChoice;
  throw new NoWebGpuError(
    `SCHEDRL_GPU must be one of ${GPU_BACKEND_CHOICES.join(', ')}, got '${v}'`,
  );
}

interface DawnModule {
  create(options: string[]): GPU;
  globals: object;
}

async function loadDawn(): Promise<DawnModule> {
  try {
    return (await import('webgpu')) as DawnModule;
  } catch (err) {
    throw new NoWebGpuError(
      `cannot load the 'webgpu' package (Dawn): ${(err as Error).message}. ${INSTALL_HINT}`,
    );
  }
}

function describe(
  adapter: GPUAdapter,
  backend: 'default' | 'opengles',
  featureLevel: 'core' | 'compatibility',
): AdapterDescription {
  const info = adapter.info;
  const text =
    `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return {
    backend,
    featureLevel,
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software:
      /llvmpipe|swiftshader|lavapipe|softpipe/.test(text) || info.isFallbackAdapter === true,
  };
}

export function formatAdapter(info: AdapterDescription): string {
  const name =
    [info.vendor, info.device, info.description].filter((s) => s !== '').join(' / ') ||
    'unnamed adapter';
  return `${name} (${info.backend} backend, ${info.featureLevel}${info.software ? ', software' : ''})`;
}

/**
 * Acquires a WebGPU device. `choice` defaults to SCHEDRL_GPU or `auto`. Throws NoWebGpuError with
 * install instructions when no adapter exists.
 */
export async function acquireGpu(
  choice: GpuBackendChoice = backendFromEnvironment(),
): Promise<GpuContext> {
  const dawn = await loadDawn();
  // The kernels and tfjs-backend-webgpu look for the WebGPU globals (GPUBufferUsage, ...).
  for (const [k, v] of Object.entries(dawn.globals))
    if (!(k in globalThis)) Object.assign(globalThis, { [k]: v as unknown });
  const attempts: ('default' | 'opengles')[] =
    choice === 'auto' ? ['default', 'opengles'] : [choice];
  const failures: string[] = [];
  for (const backend of attempts) {
    if (backend === 'opengles' && process.env.EGL_PLATFORM === undefined)
      process.env.EGL_PLATFORM = 'surfaceless';
    const gpu = dawn.create(backend === 'opengles' ? ['backend=opengles'] : []);
    const featureLevel = backend === 'opengles' ? 'compatibility' : 'core';
    let adapter: GPUAdapter | null = null;
    try {
      adapter = await gpu.requestAdapter(
        backend === 'opengles'
          ? { featureLevel: 'compatibility' }
          : { powerPreference: 'high-performance' },
      );
    } catch (err) {
      failures.push(`${backend}: ${(err as Error).message}`);
    }
    if (adapter === null) {
      failures.push(`${backend}: no adapter`);
      continue;
    }
    const requiredLimits: Record<string, number> = {};
    for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];
    const device = await adapter.requestDevice({ requiredLimits, label: 'schedrl' });
    const info = describe(adapter, backend, featureLevel);
    let released = false;
    return {
      gpu,
      device,
      adapter,
      info,
      release() {
        if (released) return;
        released = true;
        device.destroy();
      },
    };
  }
  throw new NoWebGpuError(`no WebGPU adapter found (${failures.join('; ')}). ${INSTALL_HINT}`);
}
