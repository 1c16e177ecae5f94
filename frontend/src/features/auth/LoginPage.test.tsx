// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeBackend, ok, renderApp, socketStub } from '@/test/harness';
import { LoginPage } from './LoginPage';

vi.mock('@/lib/realtime/socket', () => socketStub());

describe('LoginPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('asks for the TOTP code when the account has two-factor enabled', async () => {
    let signedIn = false;
    const backend = fakeBackend({
      'GET /auth/session': () =>
        ok({
          authenticated: signedIn,
          setup_required: false,
          user: signedIn ? { id: 1, username: 'trader', is_admin: true } : null,
          csrf_token: null,
        }),
      'POST /auth/login': () => ok({ totp_required: true, csrf_token: null }),
      'POST /auth/login/totp': () => {
        signedIn = true;
        return ok({ totp_required: false, csrf_token: 'fresh' });
      },
    });
    renderApp(<LoginPage />, { path: '/login', routes: { '/dashboard': <p>dashboard here</p> } });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), 'trader');
    await user.type(screen.getByLabelText('Password'), 'Correct-Horse-42');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    const code = await screen.findByLabelText('Authentication code');
    await user.type(code, '12a3456');
    expect(code).toHaveValue('123456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect(await screen.findByText('dashboard here')).toBeInTheDocument();
    const totp = backend.calls.find((c) => c.path === '/auth/login/totp');
    expect(totp?.body).toEqual({ code: '123456' });
  });

  it('shows the server message on a wrong password', async () => {
    fakeBackend({
      'GET /auth/session': () =>
        ok({ authenticated: false, setup_required: false, user: null, csrf_token: null }),
      'POST /auth/login': () => ({
        status: 401,
        body: { status: 'error', message: 'Invalid username or password' },
      }),
    });
    renderApp(<LoginPage />, { path: '/login' });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), 'trader');
    await user.type(screen.getByLabelText('Password'), 'nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('Invalid username or password'));
  });

  it('sends a fresh install to setup', async () => {
    fakeBackend({
      'GET /auth/session': () =>
        ok({ authenticated: false, setup_required: true, user: null, csrf_token: null }),
    });
    renderApp(<LoginPage />, { path: '/login', routes: { '/setup': <p>setup here</p> } });
    expect(await screen.findByText('setup here')).toBeInTheDocument();
  });
});
