import { gatehouseBuild } from "../../tsup.base.ts";

// src/cli.ts starts with a `#!/usr/bin/env node` line, which esbuild keeps.
export default gatehouseBuild({
  index: "src/index.ts",
  express: "src/express.ts",
  cli: "src/cli.ts",
});
