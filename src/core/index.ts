export type * from "./request.ts";
export type * from "./result.ts";
export type * from "./finish-reason.ts";
export type * from "./usage.ts";
export type * from "./stream-event.ts";
export { EMPTY_USAGE, emptyUsage } from "./usage.ts";
export { isContentEvent } from "./stream-event.ts";
export { ERROR_KINDS, GatewayError, toGatewayError } from "./errors.ts";
export type { ErrorKind, ErrorKindInfo, GatewayErrorOptions } from "./errors.ts";
