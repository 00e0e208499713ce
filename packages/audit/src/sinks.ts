/**
 * Where audit events go: a RecordStore, a JSON Lines file, stdout, an HTTP
 * collector, or several at once.
 *
 * @packageDocumentation
 */
export { fanOutSink } from "./sinks/fan-out.js";
export { type HttpSinkOptions, httpSink } from "./sinks/http.js";
export { type JsonlFileSinkOptions, jsonlFileSink } from "./sinks/jsonl-file.js";
export { recordStoreSink } from "./sinks/record-store.js";
export { type StdoutSinkOptions, stdoutSink } from "./sinks/stdout.js";
