/** One error type for every failed call, carrying what the views need to choose a state. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(status: number, message: string, body: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }

  /** The server has no such route yet (its catch-all answered), as opposed to "no such order". */
  get notAvailable(): boolean {
    const body = this.body as { path?: unknown; message?: unknown } | null;
    if (this.status === 405) return true;
    return (
      this.status === 404 &&
      !!body &&
      typeof body === 'object' &&
      'path' in body &&
      body.message === 'Not found'
    );
  }

  get unauthorized(): boolean {
    return this.status === 401;
  }
}

export function isNotAvailable(error: unknown): boolean {
  return error instanceof ApiError && error.notAvailable;
}

/** The server's envelope message (OpenAlgo: `{status:"error", message}`), or FastAPI's `detail`. */
export function messageFrom(body: unknown, fallback: string): string {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    for (const key of ['message', 'detail', 'error']) {
      const value = record[key];
      if (typeof value === 'string' && value) return value;
      if (value && typeof value === 'object') return fieldErrors(value as Record<string, unknown>);
    }
  }
  return fallback;
}

function fieldErrors(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(
      ([field, messages]) =>
        `${field}: ${Array.isArray(messages) ? messages.join(' ') : JSON.stringify(messages)}`,
    )
    .join('; ');
}
