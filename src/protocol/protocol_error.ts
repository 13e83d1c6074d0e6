/**
 * The one error for a peer that breaks the wire protocol: a line that is not a JSON object, or
 * a message whose type or fields are not what its direction allows (docs/protocol.md).
 * @module
 */

/** What a {@link ProtocolError} is about, when it is about one message. */
export interface ProtocolErrorDetails extends ErrorOptions {
  /** The message's `t`, when it had one. */
  messageType?: string;
  /** The offending field, a path for nested ones (`state.engines[0].rank`). */
  field?: string;
}

/** A peer sent something that is not a well-formed protocol message. */
export class ProtocolError extends Error {
  /** The message's `t`, when the error is about a message that had one. */
  readonly messageType: string | undefined;
  /** The offending field, when the error is about one. */
  readonly field: string | undefined;

  constructor(message: string, options?: ProtocolErrorDetails) {
    super(message, options);
    this.name = "ProtocolError";
    this.messageType = options?.messageType;
    this.field = options?.field;
  }
}

/**
 * A message whose `t` its direction does not have. Client requests answer it with `error`
 * and go on; everywhere else it is a protocol error like the others.
 */
export class UnknownMessageError extends ProtocolError {
  constructor(message: string, options?: ProtocolErrorDetails) {
    super(message, options);
    this.name = "UnknownMessageError";
  }
}
