import { gatehouseBuild } from "../../tsup.base.ts";

export default gatehouseBuild({ index: "src/index.ts", express: "src/express.ts" });
