/** A frame that cannot be parsed: the connection that sent it is closed. */
export class MalformedFrameError extends Error {
  readonly code = 'SLUICE_ERR_MALFORMED_FRAME';
}
