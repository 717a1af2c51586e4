// The netspec version, from package.json (written into every generated module's header).
import { readFileSync } from "node:fs";

export const NETSPEC_VERSION: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
