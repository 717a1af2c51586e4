// WebAssembly text → binary, with wabt (the WebAssembly binary toolkit, compiled to wasm).
// wabt loads asynchronously once, when this module is first imported; assembling is then
// synchronous, so compile() stays a pure synchronous function.

import wabtInit from "wabt";

const wabt = await wabtInit();

/** The module's bytes; a text that does not assemble is a compiler bug (it is all generated). */
export function assemble(name: string, wat: string): Uint8Array {
  const module = wabt.parseWat(`${name}.wat`, wat, { simd: true, bulk_memory: true });
  try {
    module.validate();
    return module.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}
