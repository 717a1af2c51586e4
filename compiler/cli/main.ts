// The `netspec` command line: one file per command, registered one line each.

import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerCompile } from "./compile.ts";
import { registerDraw } from "./draw.ts";
import { registerExplain } from "./explain.ts";
import { registerExport } from "./export.ts";
import { registerGrad } from "./grad.ts";
import { registerPredict } from "./predict.ts";
import { registerServe } from "./serve.ts";
import { registerTrain } from "./train.ts";
import { registerSchema } from "./schema.ts";
import { registerValidate } from "./validate.ts";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

const program = new Command("netspec")
  .description("compile neural networks written as YAML specs into TypeScript")
  .version(pkg.version)
  .option("--debug", "print stack traces for internal errors");

registerValidate(program);
registerCompile(program);
registerExplain(program);
registerTrain(program);
registerPredict(program);
registerSchema(program);
registerGrad(program);
registerDraw(program);
registerExport(program);
registerServe(program);

await program.parseAsync();
