// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeBackend, ok, renderApp } from '@/test/harness';
import { BrokerPage } from './BrokerPage';

describe('BrokerPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows the session and switches broker after confirmation', async () => {
    let broker = 'simulator';
    const backend = fakeBackend({
      'GET /web/trading/brokers': () =>
        ok([
          { name: 'simulator', display_name: 'Simulator', auth_type: 'none', family: null },
          { name: 'zerodha', display_name: 'Zerodha', auth_type: 'oauth', family: 'kite' },
        ]),
      'GET /web/trading/profile': () =>
        ok({
          broker,
          analyze_mode: false,
          order_mode: 'auto',
          market_open: true,
          market_message: 'NSE is open',
        }),
      'GET /web/trading/broker-session': () =>
        broker === 'simulator'
          ? ok({ broker, state: 'connected', expires_at: null, message: '' })
          : ok({ broker, state: 'not_connected', expires_at: null, message: 'Log in to Zerodha' }),
      'PUT /web/trading/broker': (call) => {
        broker = (call.body as { broker: string }).broker;
        return ok({ broker });
      },
    });
    renderApp(<BrokerPage />);
    expect(await screen.findByTestId('broker-session-state')).toHaveTextContent('connected');
    expect(screen.getByText(/No login needed/)).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Use Zerodha' }));
    const dialog = screen.getByRole('dialog');
    expect(dialog).toHaveTextContent('its login (oauth) comes next');
    await user.click(within(dialog).getByRole('button', { name: 'Switch' }));
    await waitFor(() =>
      expect(backend.calls.find((c) => c.method === 'PUT')?.body).toEqual({ broker: 'zerodha' }),
    );
    expect(await screen.findByText('Log in to Zerodha')).toBeInTheDocument();
    expect(screen.getByTestId('broker-session-state')).toHaveTextContent('not connected');
  });
});
