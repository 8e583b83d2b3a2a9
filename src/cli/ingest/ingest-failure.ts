/** A failure that ends the run (exit 2) with a one-line reason. */
export class IngestFailure extends Error {}
