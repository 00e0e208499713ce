import { gatehouseBuild } from "../../tsup.base.ts";

export default gatehouseBuild({
  index: "src/index.ts",
  errors: "src/errors.ts",
  store: "src/store.ts",
});
