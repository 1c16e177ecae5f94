import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { paths } from '@/app/paths';
import { Button } from '@/components/ui/button';
import { Input, Label, TextField } from '@/components/ui/input';
import { LoadingState, NotAvailableState } from '@/components/ui/states';
import { AuthCard, FormError } from './AuthCard';
import { sessionQuery, useLogin, useLoginTotp } from './api';

export function LoginPage() {
  const session = useQuery(sessionQuery);
  const login = useLogin();
  const totp = useLoginTotp();
  const navigate = useNavigate();
  const location = useLocation();
  const created = (location.state as { createdUser?: string } | null)?.createdUser;
  const [username, setUsername] = useState(created ?? '');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<'password' | 'totp'>('password');
  const next = (location.state as { from?: string } | null)?.from ?? paths.dashboard;

  if (session.isPending) return <LoadingState />;
  if (session.data && !session.data.available) {
    return (
      <AuthCard title="Sign in">
        <NotAvailableState feature="Sign-in" route="POST /auth/login" />
        <Button asChild variant="outline" className="w-full">
          <Link to={paths.dashboard}>Continue to the preview</Link>
        </Button>
      </AuthCard>
    );
  }
  if (session.data?.setup_required) return <Navigate to={paths.setup} replace />;
  if (session.data?.authenticated) return <Navigate to={next} replace />;

  async function submitPassword(event: FormEvent) {
    event.preventDefault();
    const result = await login.mutateAsync({ username, password });
    if (result.totp_required) setStep('totp');
    else navigate(next, { replace: true });
  }

  async function submitCode(event: FormEvent) {
    event.preventDefault();
    await totp.mutateAsync(code);
    navigate(next, { replace: true });
  }

  if (step === 'totp') {
    return (
      <AuthCard title="Two-factor code" subtitle="Enter the 6-digit code from your authenticator app.">
        <form className="space-y-3" onSubmit={(e) => void submitCode(e).catch(() => {})}>
          <div className="space-y-1">
            <Label htmlFor="login-totp">Authentication code</Label>
            <Input
              id="login-totp"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              autoFocus
              required
              value={code}
              onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
              className="num text-center font-mono tracking-[0.4em]"
            />
          </div>
          <FormError error={totp.error} />
          <Button type="submit" className="w-full" disabled={totp.isPending || code.length !== 6}>
            {totp.isPending ? 'Verifying…' : 'Verify'}
          </Button>
          <Button variant="link" size="sm" className="w-full" onClick={() => setStep('password')}>
            Back
          </Button>
        </form>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Sign in"
      subtitle={created ? `Account ${created} created. Sign in to continue.` : undefined}
    >
      <form className="space-y-3" onSubmit={(e) => void submitPassword(e).catch(() => {})}>
        <TextField
          id="login-username"
          label="Username"
          autoComplete="username"
          required
          value={username}
          onValue={setUsername}
        />
        <TextField
          id="login-password"
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
        <FormError error={login.error} />
        <Button type="submit" className="w-full" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </Button>
        <Link to={paths.resetPassword} className="block text-center text-xs text-primary hover:underline">
          Forgot password?
        </Link>
      </form>
    </AuthCard>
  );
}
