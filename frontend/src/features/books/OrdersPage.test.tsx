// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeBackend, ok, renderApp, socketStub } from '@/test/harness';
import { OrdersPage } from './OrdersPage';
import { TradesPage } from './TradesPage';

vi.mock('@/lib/realtime/socket', () => socketStub());

const book = {
  orders: [
    {
      orderid: 'A1',
      symbol: 'SBIN',
      exchange: 'NSE',
      action: 'BUY',
      quantity: 10,
      price: 790,
      trigger_price: 0,
      pricetype: 'LIMIT',
      product: 'MIS',
      order_status: 'open',
      timestamp: '29-Nov-2026 10:15:00',
    },
    {
      orderid: 'A2',
      symbol: 'INFY',
      exchange: 'NSE',
      action: 'SELL',
      quantity: 5,
      price: 0,
      trigger_price: 0,
      pricetype: 'MARKET',
      product: 'CNC',
      order_status: 'complete',
      timestamp: '29-Nov-2026 10:16:00',
    },
  ],
  statistics: {
    total_buy_orders: 1,
    total_sell_orders: 1,
    total_completed_orders: 1,
    total_open_orders: 1,
    total_rejected_orders: 0,
  },
};

describe('OrdersPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists orders newest first and cancels an open one after confirmation', async () => {
    const backend = fakeBackend({
      'GET /web/trading/orders': () => ok(book),
      'DELETE /web/trading/orders/A1': () => ({ status: 'success', orderid: 'A1' }),
    });
    renderApp(<OrdersPage />, { path: '/orderbook' });
    const table = await screen.findByRole('table', { name: 'Orders' });
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('INFY');
    expect(rows[1]).toHaveTextContent('MKT');
    expect(rows[2]).toHaveTextContent('₹790.00');
    expect(
      within(rows[1] as HTMLElement).queryByRole('button', { name: /Cancel order/ }),
    ).not.toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Cancel order A1' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('BUY 10 SBIN @ ₹790.00');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel order' }));
    await waitFor(() =>
      expect(backend.calls.some((c) => c.method === 'DELETE' && c.path === '/web/trading/orders/A1')).toBe(
        true,
      ),
    );
  });
});

describe('a book whose route is missing', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('says "not available yet" instead of an error', async () => {
    fakeBackend({});
    renderApp(<TradesPage />, { path: '/tradebook' });
    expect(await screen.findByText('Trade book is not available yet')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
