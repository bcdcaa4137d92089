'use strict';
// The adapter throws `new ConcurrencyError(streamKey, expected, actual)` when a stream
// transaction is cancelled; the interop tests branch on its name and fields.
class ConcurrencyError extends Error {
  constructor(streamKey, expectedSequence, actualSequence) {
    super(`stream ${streamKey}: expected sequence ${expectedSequence}, actual ${actualSequence}`);
    this.name = 'ConcurrencyError';
    this.streamKey = streamKey;
    this.expectedSequence = expectedSequence;
    this.actualSequence = actualSequence;
  }
}

module.exports = { ConcurrencyError };
