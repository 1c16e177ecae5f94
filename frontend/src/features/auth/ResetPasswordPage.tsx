import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { paths } from '@/app/paths';
import { Button } from '@/components/ui/button';
import { Input, Label, TextField } from '@/components/ui/input';
import { NotAvailableState } from '@/components/ui/states';
import { isNotAvailable } from '@/lib/api/errors';
import { AuthCard, FormError } from './AuthCard';
import { useResetPassword } from './api';
import { passwordRules } from './password-rules';

export function ResetPasswordPage() {
  const reset = useResetPassword();
  const [username, setUsername] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const rules = passwordRules(password, username);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await reset.mutateAsync({ username, totp_code: code, new_password: password });
  }

  if (reset.isSuccess) {
    return (
      <AuthCard title="Password changed" subtitle="Sign in with your new password.">
        <Button asChild className="w-full">
          <Link to={paths.login}>Sign in</Link>
        </Button>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Reset password" subtitle="Prove it is you with the code from your authenticator app.">
      {isNotAvailable(reset.error) ? (
        <NotAvailableState feature="Password reset" route="POST /auth/reset-password" />
      ) : null}
      <form className="space-y-3" onSubmit={(e) => void submit(e).catch(() => {})}>
        <TextField id="reset-username" label="Username" required value={username} onValue={setUsername} />
        <div className="space-y-1">
          <Label htmlFor="reset-code">Authentication code</Label>
          <Input
            id="reset-code"
            inputMode="numeric"
            maxLength={6}
            required
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
          />
        </div>
        <TextField
          id="reset-password"
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onValue={setPassword}
        />
        {isNotAvailable(reset.error) ? null : <FormError error={reset.error} />}
        <Button
          type="submit"
          className="w-full"
          disabled={reset.isPending || !rules.every((r) => r.ok) || code.length !== 6}
        >
          Change password
        </Button>
        <Link to={paths.login} className="block text-center text-xs text-primary hover:underline">
          Back to sign in
        </Link>
      </form>
    </AuthCard>
  );
}
