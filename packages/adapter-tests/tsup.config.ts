import { gatehouseBuild } from "../../tsup.base.ts";

// ESM only: vitest, which the suite registers its tests with, cannot be require()d.
export default gatehouseBuild({ index: "src/index.ts" }, ["esm"]);
