// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeBackend, ok, renderApp, socketStub } from '@/test/harness';
import type { Strategy, StrategyInput } from './api';
import { StrategyEditPage } from './StrategyEditPage';

vi.mock('@/lib/realtime/socket', () => socketStub());

function strategyServer() {
  let saved: Strategy | null = null;
  return fakeBackend({
    'POST /web/strategies': (call) => {
      const input = call.body as StrategyInput;
      saved = {
        ...input,
        id: 5,
        webhook_id: 'abc',
        webhook_url: 'http://host/strategy/webhook/abc',
        created_at: '2026-11-30T10:00:00+05:30',
      };
      return ok(saved);
    },
    'GET /web/strategies/{id}': () => ok(saved),
    'GET /web/strategies/{id}/logs': () =>
      ok([
        {
          id: 1,
          created_at: '2026-11-30T10:01:00+05:30',
          signal: 'BUY',
          symbol: 'SBIN',
          outcome: 'queued',
          message: 'placeorder: Order queued for approval in Action Center',
          payload: '{}',
          response: '{}',
        },
      ]),
  });
}

describe('StrategyEditPage', () => {
  beforeEach(() => {
    // biome-ignore lint/suspicious/noDocumentCookie: the double-submit cookie the server sets
    document.cookie = 'algogate_csrf=csrf-123; path=/';
  });
  afterEach(() => vi.unstubAllGlobals());

  it('creates a strategy with a mapping, then shows its webhook URL and log', async () => {
    const server = strategyServer();
    renderApp(<StrategyEditPage />, {
      path: '/strategy/new',
      routes: { '/strategy/:id': <StrategyEditPage /> },
    });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Name'), 'Trend');
    await user.click(screen.getByRole('button', { name: 'Add symbol' }));
    await user.type(screen.getByLabelText('Alert symbol'), 'sbin');
    await user.type(screen.getByLabelText('Symbol'), 'sbin');
    await user.click(screen.getByRole('button', { name: 'Create strategy' }));

    const post = await waitFor(() => {
      const found = server.calls.find((c) => c.method === 'POST');
      expect(found).toBeTruthy();
      return found;
    });
    expect(post?.headers.get('X-CSRF-Token')).toBe('csrf-123');
    expect((post?.body as StrategyInput | undefined)?.symbols).toEqual([
      { alert_symbol: 'SBIN', exchange: 'NSE', symbol: 'SBIN', quantity: 1, product: 'MIS' },
    ]);
    expect((await screen.findByTestId('webhook-url')).textContent).toBe('http://host/strategy/webhook/abc');
    expect(await screen.findByText('queued')).toBeTruthy();
    expect(screen.getByText(/"action"/)).toBeTruthy(); // the sample alert JSON
  });
});
