import { defineConfig } from "vitest/config";

// Several suites spawn the CLI (about a second each on a busy machine).
export default defineConfig({ test: { testTimeout: 30_000 } });
