// Errors for bad dataset input. Messages are one line and name the file and position (record, line:column),
// so a trainer can print `error.message` without a stack trace.

export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}
