// Express 4 is installed as `express4` (npm:express@^4) for tests only and ships
// no types; its API surface used in tests matches @types/express.
declare module "express4" {
  export { default } from "express";
}
