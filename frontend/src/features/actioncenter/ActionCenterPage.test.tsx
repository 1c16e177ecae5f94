// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeBackend, ok, renderApp, socketStub } from '@/test/harness';
import { ActionCenterPage } from './ActionCenterPage';
import type { PendingOrder } from './api';

vi.mock('@/lib/realtime/socket', () => socketStub());

const queued: PendingOrder = {
  id: 7,
  api_type: 'placeorder',
  status: 'pending',
  strategy: 'Trend',
  symbol: 'SBIN',
  exchange: 'NSE',
  action: 'BUY',
  quantity: '3',
  order_data: {},
  created_at: '2026-11-30T10:00:00+05:30',
  decided_by: null,
  decided_at: null,
  reason: null,
  result: null,
};

/** A queue like /web/action-center keeps: approving moves the row to history. */
function actionCenterServer() {
  let rows = [queued];
  const list = (status: string) => {
    const orders = status === 'all' ? rows : rows.filter((r) => r.status === status);
    const count = (s: string) => rows.filter((r) => r.status === s).length;
    return ok({
      orders,
      statistics: {
        total_pending: count('pending'),
        total_approved: count('approved'),
        total_rejected: count('rejected'),
        total_expired: 0,
        total_failed: 0,
      },
    });
  };
  return fakeBackend({
    'GET /web/trading/profile': () =>
      ok({ broker: 'simulator', analyze_mode: true, order_mode: 'semi_auto' }),
    'GET /web/action-center/orders': (call) =>
      list(new URL(`http://x${call.path}`).searchParams.get('status') ?? 'all'),
    'POST /web/action-center/orders/{id}/approve': (call) => {
      rows = rows.map((r) =>
        r.id === Number(call.params.id) ? { ...r, status: 'approved', decided_by: 'me' } : r,
      );
      return { status: 'success', message: 'Order approved and executed successfully', broker_order_id: '1' };
    },
  });
}

describe('ActionCenterPage', () => {
  beforeEach(() => {
    // biome-ignore lint/suspicious/noDocumentCookie: the double-submit cookie the server sets
    document.cookie = 'algogate_csrf=csrf-123; path=/';
  });
  afterEach(() => vi.unstubAllGlobals());

  it('lists pending orders and approves one with the CSRF header', async () => {
    const server = actionCenterServer();
    renderApp(<ActionCenterPage />);
    const table = await screen.findByRole('table', { name: 'Pending orders' });
    expect(within(table).getByText('SBIN')).toBeTruthy();
    expect(screen.getByText('Semi-auto · API orders wait for approval')).toBeTruthy();
    await userEvent.setup().click(within(table).getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(screen.getByText('No orders waiting for approval')).toBeTruthy());
    const approve = server.calls.find((c) => c.method === 'POST');
    expect(approve?.path).toBe('/web/action-center/orders/7/approve');
    expect(approve?.headers.get('X-CSRF-Token')).toBe('csrf-123');
    const history = await screen.findByRole('table', { name: 'Action Center history' });
    await waitFor(() => expect(within(history).getByText('approved')).toBeTruthy());
  });
});
