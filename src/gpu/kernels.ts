/**
 * WGSL sources from kernels/, with `//#include <file>` lines replaced by the named file of the
 * same folder (rng.wgsl and other shared pieces), compiled with errors that name the kernel and
 * the line instead of a silent invalid pipeline.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';

export class GpuKernelError extends Error {
  override readonly name = 'GpuKernelError';
}

export function kernelsDir(): string {
  return join(packageRoot(), 'kernels');
}

/** Reads kernels/<name>.wgsl and inlines its `//#include` lines (each file once). */
export function loadKernelSource(name: string, seen: Set<string> = new Set()): string {
  const file = name.endsWith('.wgsl') ? name : `${name}.wgsl`;
  if (seen.has(file)) return '';
  seen.add(file);
  let text: string;
  try {
    text = readFileSync(join(kernelsDir(), file), 'utf8');
  } catch (err) {
    throw new GpuKernelError(
      `kernel source kernels/${file} cannot be read: ${(err as Error).message}`,
    );
  }
  return text.replace(/^\/\/#include\s+(\S+)\s*$/gm, (_, inc: string) =>
    loadKernelSource(inc, seen),
  );
}

/**
 * Compiles WGSL and builds one compute pipeline per entry point over an explicit layout, so that
 * every entry point shares one bind group. Compilation errors are reported with the kernel's name
 * and the line and text of the first error.
 */
export async function compileKernel(
  device: GPUDevice,
  kernel: string,
  code: string,
  layout: GPUPipelineLayout,
  entryPoints: readonly string[],
  constants: Readonly<Record<string, number>> = {},
): Promise<Record<string, GPUComputePipeline>> {
  const module = device.createShaderModule({ label: kernel, code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    const lines = code.split('\n');
    const detail = errors
      .slice(0, 3)
      .map((m) => `line ${m.lineNum}: ${m.message}\n    ${lines[m.lineNum - 1]?.trim() ?? ''}`)
      .join('\n  ');
    throw new GpuKernelError(`WGSL kernel '${kernel}' does not compile:\n  ${detail}`);
  }
  const pipelines: Record<string, GPUComputePipeline> = {};
  for (const entryPoint of entryPoints) {
    try {
      pipelines[entryPoint] = await device.createComputePipelineAsync({
        label: `${kernel}.${entryPoint}`,
        layout,
        compute: { module, entryPoint, constants },
      });
    } catch (err) {
      throw new GpuKernelError(
        `WGSL kernel '${kernel}', entry point '${entryPoint}': ${(err as Error).message}`,
      );
    }
  }
  return pipelines;
}
