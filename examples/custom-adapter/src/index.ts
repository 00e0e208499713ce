export { createFileRecordStore, type FileRecordStoreOptions } from "./file-record-store.js";
export { createFileStore, type FileStoreOptions } from "./file-store.js";
