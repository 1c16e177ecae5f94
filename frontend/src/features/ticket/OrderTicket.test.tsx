// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Toaster } from '@/components/Toaster';
import { useTicket } from '@/stores/ticket';
import { useTicks } from '@/stores/ticks';
import { fakeBackend, ok, renderApp, socketStub } from '@/test/harness';
import { OrderTicket } from './OrderTicket';

vi.mock('@/lib/realtime/socket', () => socketStub());

function renderTicket() {
  return renderApp(
    <>
      <OrderTicket />
      <Toaster />
    </>,
  );
}

describe('OrderTicket', () => {
  beforeEach(() => {
    // biome-ignore lint/suspicious/noDocumentCookie: the double-submit cookie the server sets
    document.cookie = 'algogate_csrf=csrf-123; path=/';
    useTicks.getState().clear();
    useTicks.getState().apply('NSE:SBIN', { ltp: 800, prev_close: 790 });
  });
  afterEach(() => {
    useTicket.getState().close();
    vi.unstubAllGlobals();
  });

  it('shows price fields only when the price type needs them and posts the order with CSRF', async () => {
    const backend = fakeBackend({
      'POST /web/trading/orders': () => ({ status: 'success', orderid: 'SIM-1' }),
    });
    renderTicket();
    useTicket.getState().openTicket({ symbol: 'SBIN', exchange: 'NSE', action: 'BUY' });
    const user = userEvent.setup();
    const dialog = await screen.findByRole('dialog');
    expect(screen.queryByLabelText('Price')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'LIMIT' }));
    expect(screen.getByLabelText('Price')).toBeInTheDocument();
    expect(screen.queryByLabelText('Trigger price')).not.toBeInTheDocument();
    await user.clear(screen.getByLabelText(/Quantity/));
    await user.type(screen.getByLabelText(/Quantity/), '10');
    await user.type(screen.getByLabelText('Price'), '799.5');
    expect(dialog).toHaveTextContent('₹7,995.00');
    await user.click(screen.getByRole('button', { name: 'Buy' }));
    const orders = () => backend.calls.filter((c) => c.path === '/web/trading/orders');
    await waitFor(() => expect(orders()).toHaveLength(1));
    const call = orders()[0];
    expect(call?.method).toBe('POST');
    expect(call?.body).toEqual({
      symbol: 'SBIN',
      exchange: 'NSE',
      action: 'BUY',
      quantity: 10,
      pricetype: 'LIMIT',
      product: 'MIS',
      price: 799.5,
      strategy: 'web',
    });
    expect(call?.headers.get('X-CSRF-Token')).toBe('csrf-123');
    expect(await screen.findByText('BUY 10 SBIN placed')).toBeInTheDocument();
    expect(useTicket.getState().open).toBe(false);
  });

  it('asks again before a large order', async () => {
    const backend = fakeBackend({
      'POST /web/trading/orders': () => ({ status: 'success', orderid: 'SIM-2' }),
    });
    renderTicket();
    useTicket.getState().openTicket({ symbol: 'SBIN', exchange: 'NSE', action: 'SELL' });
    const user = userEvent.setup();
    await screen.findByRole('dialog');
    await user.clear(screen.getByLabelText(/Quantity/));
    await user.type(screen.getByLabelText(/Quantity/), '2000');
    await user.click(screen.getByRole('button', { name: 'Sell' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Large order: ₹16,00,000.00');
    const orders = () => backend.calls.filter((c) => c.path === '/web/trading/orders');
    expect(orders()).toHaveLength(0);
    await user.click(screen.getByRole('button', { name: 'Confirm Sell' }));
    await waitFor(() => expect(orders()).toHaveLength(1));
  });

  it('says so when the order will be a paper order', async () => {
    fakeBackend({
      'GET /web/trading/profile': () => ok({ broker: 'simulator', analyze_mode: true, order_mode: 'auto' }),
      'GET /web/trading/broker-session': () =>
        ok({ broker: 'simulator', state: 'connected', expires_at: null, message: '' }),
    });
    renderTicket();
    useTicket.getState().openTicket({ symbol: 'SBIN', exchange: 'NSE', action: 'BUY' });
    expect(await screen.findByTestId('ticket-paper')).toHaveTextContent('paper order');
  });

  it('explains when the server cannot take orders yet', async () => {
    fakeBackend({});
    renderTicket();
    useTicket.getState().openTicket({ symbol: 'SBIN', exchange: 'NSE', action: 'BUY' });
    const user = userEvent.setup();
    await screen.findByRole('dialog');
    await user.click(screen.getByRole('button', { name: 'Buy' }));
    expect(await screen.findByText(/not available yet/)).toBeInTheDocument();
    expect(useTicket.getState().open).toBe(true);
  });

  it('picks the contract from the search and follows its lot and tick size', async () => {
    const future = {
      symbol: 'SBIN29DEC26FUT',
      name: 'SBIN',
      exchange: 'NFO',
      expiry: '29-DEC-26',
      strike: 0,
      lotsize: 750,
      instrumenttype: 'FUT',
      tick_size: 0.05,
      freeze_qty: 1,
    };
    const backend = fakeBackend({
      'GET /web/market/search': () => ok([future]),
      'POST /web/trading/orders': () => ({ status: 'success', orderid: 'SIM-3' }),
    });
    renderTicket();
    useTicket.getState().openTicket({ action: 'BUY' });
    const user = userEvent.setup();
    await screen.findByRole('dialog');
    await user.type(screen.getByRole('combobox', { name: 'Symbol' }), 'NFO:SBIN');
    const option = await screen.findByRole('option', { name: /SBIN29DEC26FUT/ });
    expect(option).toHaveTextContent('FUT');
    expect(option).toHaveTextContent('29-DEC-26');
    expect(option).toHaveTextContent('lot 750');
    const search = backend.calls.find((c) => c.path === '/web/market/search');
    expect(search).toBeDefined();
    await user.click(option);
    expect(screen.getByTestId('ticket-instrument')).toHaveTextContent('lot 750 · tick 0.05');
    const qty = screen.getByLabelText(/Quantity/);
    expect(qty).toHaveValue(750);
    expect(qty).toHaveAttribute('step', '750');
    await user.clear(qty);
    await user.type(qty, '100');
    expect(screen.getByText('Quantity must be a multiple of the lot size (750).')).toBeInTheDocument();
    await user.clear(qty);
    await user.type(qty, '1500');
    expect(screen.getByTestId('ticket-lots')).toHaveTextContent('2 lot(s) of 750');
    await user.click(screen.getByRole('button', { name: 'LIMIT' }));
    await user.type(screen.getByLabelText('Price'), '100.03');
    expect(screen.getByText(/multiple of the tick size \(0.05\), e.g. 100.05/)).toBeInTheDocument();
    await user.clear(screen.getByLabelText('Price'));
    await user.type(screen.getByLabelText('Price'), '100.05');
    await user.click(screen.getByRole('button', { name: 'Buy' }));
    const orders = () => backend.calls.filter((c) => c.path === '/web/trading/orders');
    await waitFor(() => expect(orders()).toHaveLength(1));
    expect(orders()[0]?.body).toMatchObject({
      symbol: 'SBIN29DEC26FUT',
      exchange: 'NFO',
      quantity: 1500,
      price: 100.05,
      product: 'MIS',
    });
  });
});
