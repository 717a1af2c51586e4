// Stands in for node:fs, node:path, node:module and node:worker_threads in the page's bundle. The runtime's data
// loaders, checkpoint files and threaded model import them; the page gets its data from the server and
// never calls them, so any use is a bug and says so.

const unavailable = (name: string) => () => {
  throw new Error(`${name} is not available in the browser`);
};

export const createRequire = () => unavailable("require");
export const readFileSync = unavailable("readFileSync");
export const statSync = unavailable("statSync");
export const existsSync = unavailable("existsSync");
export const openSync = unavailable("openSync");
export const closeSync = unavailable("closeSync");
export const fsyncSync = unavailable("fsyncSync");
export const writeSync = unavailable("writeSync");
export const writeFileSync = unavailable("writeFileSync");
export const renameSync = unavailable("renameSync");
export const rmSync = unavailable("rmSync");
export const resolve = unavailable("path.resolve");
export const dirname = unavailable("path.dirname");
