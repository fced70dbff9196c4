/** The API's own error codes; protocol errors use their Rust variant name as the code. */
export type InosErrorCode =
  | 'BadRange' | 'Closed' | 'Detached' | 'WouldBlock' | 'Invalid' | 'OutOfMemory' | 'NoView'
  | (string & {});

/** Thrown (or rejected with) by every inos-web call that fails; never a trap. */
export declare class InosError extends Error {
  constructor(code: InosErrorCode, message: string);
  readonly name: 'InosError';
  readonly code: InosErrorCode;
}
