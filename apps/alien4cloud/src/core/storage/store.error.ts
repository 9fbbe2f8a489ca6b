/** A create was refused because a document with that id exists already (HTTP 409 for the caller). */
export class DuplicateError extends Error {
  override readonly name = 'DuplicateError';
  constructor(
    readonly collection: string,
    readonly id: string,
  ) {
    super(`${collection}/${id} already exists`);
  }
}

/** A collection name or document id the stores cannot hold (a programming error, not user input). */
export class InvalidKeyError extends Error {
  override readonly name = 'InvalidKeyError';
}

/** A stored file or response that is not the JSON document it should be. */
export class CorruptDocumentError extends Error {
  override readonly name = 'CorruptDocumentError';
}
