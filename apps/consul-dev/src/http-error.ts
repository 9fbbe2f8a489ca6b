/**
 * An error that becomes an HTTP answer with a plain-text body, as Consul's handleErr does (§1.3):
 * state-level refusals are 500 like server-side errors; the HTTP layer uses 400/403/404/405/413.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const serverError = (message: string) => new HttpError(500, message);
