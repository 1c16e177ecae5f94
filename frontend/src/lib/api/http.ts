/**
 * The transport every API call goes through: same-origin cookies, the CSRF header on unsafe
 * methods, envelope errors turned into ApiError, and one place that reacts to 401 (session gone).
 */
import { ApiError, messageFrom } from './errors';

export const CSRF_HEADER = 'X-CSRF-Token';
const CSRF_COOKIE = 'algogate_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** Remember the token the server handed out (login/session responses carry it). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

function readCookie(name: string): string | null {
  if (typeof document === 'undefined') return null;
  const prefix = `${name}=`;
  for (const part of document.cookie.split(';')) {
    const item = part.trim();
    if (item.startsWith(prefix)) return decodeURIComponent(item.slice(prefix.length));
  }
  return null;
}

/** Double-submit: a readable CSRF cookie wins over the remembered token. */
export function currentCsrfToken(): string | null {
  return readCookie(CSRF_COOKIE) ?? csrfToken;
}

/** Adds credentials and the CSRF header; used by the generated client's middleware too. */
export function prepareRequest(request: Request): Request {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return request;
  const token = currentCsrfToken();
  if (token && !request.headers.has(CSRF_HEADER)) request.headers.set(CSRF_HEADER, token);
  return request;
}

async function readBody(response: Response): Promise<unknown> {
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) return response.json().catch(() => null);
  const text = await response.text().catch(() => '');
  return text || null;
}

/** Turn a non-2xx response into ApiError; signal a lost session. */
export async function failure(response: Response): Promise<ApiError> {
  const body = await readBody(response.clone());
  if (response.status === 401 && onUnauthorized) onUnauthorized();
  return new ApiError(
    response.status,
    messageFrom(body, `${response.status} ${response.statusText}`.trim()),
    body,
  );
}

/** A JSON call to a route; resolves with the parsed body of a 2xx response. */
export async function requestJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(prepareRequest(new Request(new URL(path, window.location.origin), init)));
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Check that Algogate is running.', null);
  }
  if (!response.ok) throw await failure(response);
  return (await readBody(response)) as T;
}
