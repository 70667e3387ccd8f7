/** `schedrl export --checkpoint FILE --out dispatch.mjs`: writes the module and its types (.d.mts). */

import { UsageError } from '../core/errors.js';
import { checkOutputPath, writeFileAtomic } from '../core/files.js';
import { optionalString } from '../core/options.js';
import {
  findEnv,
  type CommandReport,
  type EnvCommand,
  type OptionValues,
} from '../core/registry.js';
import { readCheckpoint } from '../train/checkpoint.js';
import { checkCompatible } from '../agents/learned.js';
import { exportModule } from './export.js';

export const exportCommand: EnvCommand = {
  ownsOut: true,
  options: {
    checkpoint: { type: 'string', description: 'checkpoint to export (required)' },
    out: {
      type: 'string',
      description:
        'ES module to write (.mjs or .js); its types (.d.mts, or .d.ts for .js) go beside it',
      default: 'dispatch.mjs',
    },
  },
  run(values: OptionValues, log): Promise<CommandReport> {
    const file = optionalString(values, 'checkpoint');
    if (file === undefined) throw new UsageError('export needs --checkpoint FILE');
    const out = optionalString(values, 'out') ?? 'dispatch.mjs';
    if (!/\.(mjs|js)$/.test(out))
      throw new UsageError(`--out ${out}: expected a .mjs or .js file name`);
    checkOutputPath(out, 'out');
    const dtsPath = out.replace(/\.(mjs|js)$/, (ext) => (ext === '.mjs' ? '.d.mts' : '.d.ts'));
    checkOutputPath(dtsPath, 'out');
    const c = readCheckpoint(file);
    const entry = findEnv(c.env.name);
    if (entry === undefined)
      throw new UsageError(
        `checkpoint ${file} is for environment '${c.env.name}', which this version does not have`,
      );
    // The module embeds today's feature functions: they must be the ones the policy learned on.
    checkCompatible(c, file, entry.name, {
      maxCandidates: 1,
      candidateFeatures: entry.features.candidate,
      globalFeatures: entry.features.global,
    });
    const { js, dts } = exportModule(c, entry.features, file);
    writeFileAtomic(out, js);
    writeFileAtomic(dtsPath, dts);
    log(`wrote ${out} (${(js.length / 1024).toFixed(1)} KiB) and ${dtsPath}`);
    return Promise.resolve({
      json: { module: out, types: dtsPath, env: c.env.name, bytes: js.length },
      text: `${out}\n${dtsPath}`,
    });
  },
};
