// Runs a Rust policy component under Node, for comparing with the JavaScript
// port: jco (from the SDK's toolchain) transpiles the component, and its
// fulcrum:policy imports are bound to whichever host the caller passes.

import { execFileSync } from 'node:child_process';
import { readFile, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const sdk = fileURLToPath(new URL('../node_modules/@fulcrum/policy-sdk/', import.meta.url));

/**
 * The component at `path`, instantiated once: `{ configure(settings),
 * decide(snapshot, host) }`, where decide returns the bindings' decisions
 * record and routes log and state calls to `host` (a MemoryHost).
 */
export async function loadRustPolicy(path) {
  const out = await mkdtemp(join(tmpdir(), 'rust-policy-'));
  execFileSync(join(sdk, 'node_modules/.bin/jco'),
    ['transpile', path, '-o', out, '--instantiation', 'async', '--no-typescript', '--name', 'policy', '--quiet']);
  const jco = createRequire(join(sdk, 'node_modules/@bytecodealliance/jco/package.json'));
  const shim = await import(pathToFileURL(jco.resolve('@bytecodealliance/preview2-shim/instantiation')));
  const { instantiate } = await import(pathToFileURL(join(out, 'policy.js')));

  let host;
  const imports = {
    ...new shim.WASIShim().getImportObject(),
    'fulcrum:policy/log': { log: (level, message) => host.log(level, message) },
    'fulcrum:policy/state': {
      get: (key) => host.stateGet(key),
      set(key, value) {
        try {
          host.stateSet(key, value);
        } catch (error) {
          const val = error.kind === 'quota-exceeded' ? BigInt(error.quota) : undefined;
          throw Object.assign(new Error(error.message), { payload: { tag: error.kind, val } });
        }
      },
      delete: (key) => host.stateDelete(key),
    },
  };
  const component = await instantiate(
    async (name) => WebAssembly.compile(await readFile(join(out, name))), imports,
  );
  return {
    configure: (settings) => component.configure(settings),
    decide(snapshot, withHost) {
      host = withHost;
      return component.decide(snapshot);
    },
  };
}
