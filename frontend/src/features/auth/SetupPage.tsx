import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { paths } from '@/app/paths';
import { Button } from '@/components/ui/button';
import { Input, Label, TextField } from '@/components/ui/input';
import { LoadingState, NotAvailableState } from '@/components/ui/states';
import { cn } from '@/lib/cn';
import { AuthCard, FormError } from './AuthCard';
import { sessionQuery, useSetup } from './api';
import { passwordRules, passwordStrength } from './password-rules';

export function SetupPage() {
  const session = useQuery(sessionQuery);
  const setup = useSetup();
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const rules = passwordRules(password, username);
  const strength = passwordStrength(password);
  const mismatch = confirm.length > 0 && confirm !== password;

  if (session.isPending) return <LoadingState />;
  if (session.data && !session.data.available) {
    return (
      <AuthCard title="Create the administrator">
        <NotAvailableState feature="Account setup" route="POST /auth/setup" />
      </AuthCard>
    );
  }
  if (session.data && !session.data.setup_required) return <Navigate to={paths.login} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (mismatch || !rules.every((r) => r.ok)) return;
    await setup.mutateAsync({ username, password, ...(email ? { email } : {}) });
    navigate(paths.login, { replace: true, state: { createdUser: username } });
  }

  return (
    <AuthCard
      title="Create the administrator"
      subtitle="This first account manages the platform. You can add traders later."
    >
      <form className="space-y-3" onSubmit={(e) => void submit(e).catch(() => {})}>
        <TextField
          id="setup-username"
          label="Username"
          autoComplete="username"
          required
          value={username}
          onValue={setUsername}
        />
        <TextField
          id="setup-email"
          label="Email (optional)"
          type="email"
          autoComplete="email"
          value={email}
          onValue={setEmail}
        />
        <div className="space-y-1">
          <Label htmlFor="setup-password">Password</Label>
          <Input
            id="setup-password"
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <div className="flex items-center gap-2 text-[11px]">
            <div className="h-1 flex-1 rounded bg-muted">
              <div
                className={cn(
                  'h-1 rounded transition-all',
                  strength === 'strong'
                    ? 'w-full bg-profit'
                    : strength === 'medium'
                      ? 'w-2/3 bg-warning'
                      : 'w-1/3 bg-loss',
                )}
              />
            </div>
            <span className="text-muted-foreground">{password ? strength : ''}</span>
          </div>
          <ul className="space-y-0.5 text-[11px]">
            {rules.map((rule) => (
              <li key={rule.label} className={rule.ok ? 'text-profit' : 'text-muted-foreground'}>
                {rule.ok ? '✓' : '•'} {rule.label}
              </li>
            ))}
          </ul>
        </div>
        <div className="space-y-1">
          <Label htmlFor="setup-confirm">Confirm password</Label>
          <Input
            id="setup-confirm"
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            aria-invalid={mismatch}
            onChange={(e) => setConfirm(e.target.value)}
          />
          {mismatch ? <p className="text-[11px] text-loss">Passwords do not match.</p> : null}
        </div>
        <FormError error={setup.error} />
        <Button
          type="submit"
          className="w-full"
          disabled={setup.isPending || mismatch || !rules.every((r) => r.ok)}
        >
          {setup.isPending ? 'Creating…' : 'Create account'}
        </Button>
      </form>
    </AuthCard>
  );
}
