/**
 * Root of every error Postbox throws. `code` is stable and meant for programs
 * (switches, metrics, DLQ attributes); `message` is for people and says what
 * happened, to what, and what to do about it.
 */
export abstract class PostboxError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
