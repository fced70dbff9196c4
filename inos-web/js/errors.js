// The one error class every inos-web call throws (or rejects with). `code` is the API's own
// ("BadRange", "Closed", "Detached", "WouldBlock", "Invalid", "OutOfMemory", "NoView") or the
// protocol error's name ("Full", "TooLarge", "RoleTaken", "InsufficientFunds", "HoldStale", …).
export class InosError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'InosError';
    this.code = code;
  }
}
