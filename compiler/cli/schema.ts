// `netspec schema`: the JSON Schema of the spec language, for editors (specs/netspec.schema.json).

import type { Command } from "commander";
import { specJsonSchema } from "../spec/index.ts";
import { guard } from "./run.ts";

export function registerSchema(program: Command): void {
  const cmd = program.command("schema").description("print the JSON Schema of spec files (for editor completion and checks)");
  cmd.action(guard(() => cmd, () => void process.stdout.write(`${JSON.stringify(specJsonSchema(), null, 2)}\n`)));
}
