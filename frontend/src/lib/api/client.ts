/** The typed client generated from the backend's OpenAPI (`npm run api` regenerates schema.d.ts). */
import createClient, { type Middleware } from 'openapi-fetch';
import { failure, prepareRequest } from './http';
import type { paths } from './schema';

const middleware: Middleware = {
  onRequest({ request }) {
    return prepareRequest(request);
  },
  async onResponse({ response }) {
    if (!response.ok) throw await failure(response);
    return response;
  },
};

export const api = createClient<paths>({
  // Absolute same-origin URLs, and `fetch` looked up per call (tests replace it).
  baseUrl: typeof window === 'undefined' ? '' : window.location.origin,
  credentials: 'same-origin',
  fetch: (request) => globalThis.fetch(request),
});
api.use(middleware);

/** Resolve an openapi-fetch result to its data (errors were already thrown by the middleware). */
export function data<T>(result: { data?: T }): T {
  return result.data as T;
}
