// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Watchlist } from '@/lib/api/pending';
import { type Call, fakeBackend, ok, renderApp, socketStub } from '@/test/harness';
import { WatchlistPage } from './WatchlistPage';

vi.mock('@/lib/realtime/socket', () => socketStub());

const infy = {
  symbol: 'INFY',
  name: 'INFOSYS',
  exchange: 'NSE',
  expiry: '',
  strike: 0,
  lotsize: 1,
  instrumenttype: 'EQ',
  tick_size: 0.05,
};

/** A server that keeps the lists, like /web/watchlists does. */
function watchlistServer(initial: Watchlist[]) {
  let lists = structuredClone(initial);
  let nextId = 100;
  const body = (call: Call) => call.body as Omit<Watchlist, 'id'>;
  const backend = fakeBackend({
    'GET /web/watchlists': () => ok(lists),
    'POST /web/watchlists': (call) => {
      const created = { id: nextId++, ...body(call) };
      lists = [...lists, created];
      return ok(created);
    },
    'PUT /web/watchlists/{id}': (call) => {
      const saved = { id: Number(call.params.id), ...body(call) };
      lists = lists.map((l) => (l.id === saved.id ? saved : l));
      return ok(saved);
    },
    'DELETE /web/watchlists/{id}': (call) => {
      lists = lists.filter((l) => l.id !== Number(call.params.id));
      return ok({});
    },
    'GET /web/market/search': () => ok([infy]),
    'GET /web/market/quotes': () => ok({}),
  });
  return { backend, lists: () => lists };
}

describe('WatchlistPage', () => {
  beforeEach(() => {
    // biome-ignore lint/suspicious/noDocumentCookie: the double-submit cookie the server sets
    document.cookie = 'algogate_csrf=csrf-123; path=/';
  });
  afterEach(() => vi.unstubAllGlobals());

  it('creates the first list on the server when a symbol is added', async () => {
    const server = watchlistServer([]);
    renderApp(<WatchlistPage />);
    await screen.findByText('No watchlists yet');
    const user = userEvent.setup();
    await user.type(screen.getByRole('combobox', { name: 'Add symbol to watchlist' }), 'INFY');
    await user.click(await screen.findByRole('option', { name: /INFY/ }));
    await screen.findByTestId('watch-NSE:INFY');
    expect(server.lists()).toEqual([
      { id: 100, name: 'Watchlist 1', items: [{ exchange: 'NSE', symbol: 'INFY' }] },
    ]);
    const post = server.backend.calls.find((c) => c.method === 'POST');
    expect(post?.headers.get('X-CSRF-Token')).toBe('csrf-123');
  });

  it('adds, removes, renames and deletes through the routes', async () => {
    const server = watchlistServer([
      { id: 1, name: 'Banks', items: [{ exchange: 'NSE', symbol: 'SBIN' }] },
      { id: 2, name: 'IT', items: [] },
    ]);
    renderApp(<WatchlistPage />);
    const user = userEvent.setup();
    await screen.findByTestId('watch-NSE:SBIN');
    await user.type(screen.getByRole('combobox', { name: 'Add symbol to watchlist' }), 'INFY');
    await user.click(await screen.findByRole('option', { name: /INFY/ }));
    await screen.findByTestId('watch-NSE:INFY');
    await waitFor(() => expect(server.lists()[0]?.items).toHaveLength(2));

    await user.click(screen.getByRole('button', { name: 'Remove SBIN' }));
    await waitFor(() => expect(server.lists()[0]?.items).toEqual([{ exchange: 'NSE', symbol: 'INFY' }]));

    await user.click(screen.getByRole('button', { name: 'Rename Banks' }));
    const name = screen.getByLabelText('Watchlist name');
    await user.clear(name);
    await user.type(name, 'Tech{Enter}');
    await screen.findByRole('tab', { name: /Tech/ });
    await waitFor(() => expect(server.lists()[0]?.name).toBe('Tech'));

    await user.click(screen.getByRole('tab', { name: /IT/ }));
    await user.click(screen.getByRole('button', { name: 'Delete IT' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(server.lists().map((l) => l.name)).toEqual(['Tech']));
    expect(screen.queryByRole('tab', { name: /IT/ })).not.toBeInTheDocument();
  });

  it('imports lists an earlier version kept in this browser, once', async () => {
    localStorage.setItem(
      'algogate-watchlists',
      JSON.stringify({
        state: { lists: [{ id: 1, name: 'Banks', items: [{ symbol: 'SBIN', exchange: 'NSE' }] }] },
      }),
    );
    const server = watchlistServer([{ id: 1, name: 'Banks', items: [] }]);
    renderApp(<WatchlistPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Import to my account' }));
    await waitFor(() =>
      expect(server.lists().map((l) => `${l.name}:${l.items.length}`)).toEqual([
        'Banks:0',
        'Banks (browser):1',
      ]),
    );
    expect(localStorage.getItem('algogate-watchlists')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Import to my account' })).not.toBeInTheDocument();
  });

  it('rolls an edit back when the server refuses it', async () => {
    const backend = fakeBackend({
      'GET /web/watchlists': () => ok([{ id: 1, name: 'Banks', items: [] }]),
      'PUT /web/watchlists/{id}': () => ({
        status: 400,
        body: { status: 'error', message: "Symbol 'NOPE' not found for exchange 'NSE'" },
      }),
      'GET /web/market/search': () => ok([]),
      'GET /web/market/quotes': () => ok({}),
    });
    renderApp(<WatchlistPage />);
    const user = userEvent.setup();
    await screen.findByText('This watchlist is empty');
    await user.type(screen.getByRole('combobox', { name: 'Add symbol to watchlist' }), 'NSE:NOPE{Enter}');
    await waitFor(() => expect(backend.calls.some((c) => c.method === 'PUT')).toBe(true));
    await screen.findByText('This watchlist is empty');
    expect(screen.queryByTestId('watch-NSE:NOPE')).not.toBeInTheDocument();
  });
});
