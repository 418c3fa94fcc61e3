// Errors for bad dataset input. Messages are one line and name the file and position (record, line:column),
// so a trainer can print `error.message` without a stack trace.

export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

/** A data file or folder that is missing, unreadable or not what the dataset wants (a folder, a FIFO, a device). */
export class DataFileError extends DataError {
  /** The path as the message names it. */
  constructor(message: string, readonly path: string) {
    super(message);
    this.name = 'DataFileError';
  }
}
