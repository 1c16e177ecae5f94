/** Test helpers: a fake backend behind `fetch`, and a render wrapped in the app's providers. */
import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { vi } from 'vitest';
import { createQueryClient } from '@/lib/api/query-client';

export interface Call {
  method: string;
  path: string;
  body: unknown;
  headers: Headers;
  /** Values of `{name}` segments when the route is a template, e.g. "PUT /web/watchlists/{id}". */
  params: Record<string, string>;
}

type Handler = (call: Call) => { status?: number; body: unknown } | unknown;

/** Match "METHOD /a/{id}" templates against a request; null when the route does not match. */
function matchRoute(route: string, method: string, path: string): Record<string, string> | null {
  const [routeMethod, template = ''] = route.split(' ');
  if (routeMethod !== method) return null;
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const value = got[i] ?? '';
    if (part.startsWith('{') && part.endsWith('}')) params[part.slice(1, -1)] = decodeURIComponent(value);
    else if (part !== value) return null;
  }
  return params;
}

/**
 * Routes are "METHOD /path" (or templates with `{name}` segments); an unknown route answers like
 * the server's catch-all 404.
 */
export function fakeBackend(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = await request.text();
    let handler = routes[`${request.method} ${url.pathname}`];
    let params: Record<string, string> = {};
    if (!handler) {
      for (const [route, candidate] of Object.entries(routes)) {
        const matched = matchRoute(route, request.method, url.pathname);
        if (matched) {
          handler = candidate;
          params = matched;
          break;
        }
      }
    }
    const call: Call = {
      method: request.method,
      path: url.pathname,
      body: text ? JSON.parse(text) : undefined,
      headers: request.headers,
      params,
    };
    calls.push(call);
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (!handler) return json(404, { status: 'error', message: 'Not found', path: url.pathname });
    const result = handler(call) as { status?: number; body?: unknown } | undefined;
    if (result && typeof result === 'object' && 'body' in result)
      return json(result.status ?? 200, result.body);
    return json(200, result);
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

export const ok = <T,>(data: T) => ({ status: 'success', data });

export function renderApp(
  ui: ReactElement,
  { path = '/', routes = {} as Record<string, ReactElement> } = {},
) {
  const client = createQueryClient();
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path={path} element={ui} />
          {Object.entries(routes).map(([p, el]) => (
            <Route key={p} path={p} element={el} />
          ))}
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

/** The Socket.IO client replaced by a connected no-op (tests never open sockets). */
export const socketStub = () => ({
  ORDER_EVENTS: [],
  useSocketState: (select: (s: { state: string }) => unknown) => select({ state: 'connected' }),
  useFeedErrors: (select: (s: { errors: Record<string, string> }) => unknown) => select({ errors: {} }),
  subscribeQuotes: () => () => {},
  onServerEvents: () => () => {},
  closeSocket: () => {},
  getSocket: () => ({}),
});
