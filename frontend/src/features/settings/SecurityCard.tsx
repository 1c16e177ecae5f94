import QRCode from 'qrcode';
import { type FormEvent, useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Input, Label } from '@/components/ui/input';
import { ApiError } from '@/lib/api/errors';
import { toast } from '@/stores/toasts';
import { type TotpEnrolment, useChangePassword, useTotpDisable, useTotpEnable, useTotpSetup } from './api';

function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="text-xs text-loss">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

const digits = (value: string) => value.replace(/\D/g, '').slice(0, 6);

export function SecurityCard() {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Security</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-6 md:grid-cols-2">
        <ChangePassword />
        <TwoFactor />
      </CardContent>
    </Card>
  );
}

function ChangePassword() {
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    await change.mutateAsync({ current_password: current, new_password: next });
    setCurrent('');
    setNext('');
    toast.success('Password changed', { description: 'Other browsers were signed out.' });
  }
  return (
    <form className="space-y-2" onSubmit={(e) => void submit(e).catch(() => {})}>
      <h3 className="text-xs font-semibold">Change password</h3>
      <div className="space-y-1">
        <Label htmlFor="pw-current">Current password</Label>
        <Input
          id="pw-current"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
      </div>
      <div className="space-y-1">
        <Label htmlFor="pw-new">New password</Label>
        <Input
          id="pw-new"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
      </div>
      <ErrorText error={change.error} />
      <Button type="submit" size="sm" disabled={change.isPending}>
        Change password
      </Button>
    </form>
  );
}

function TwoFactor() {
  const setup = useTotpSetup();
  const enable = useTotpEnable();
  const disable = useTotpDisable();
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [state, setState] = useState<'unknown' | 'enrolling' | 'enabled'>('unknown');

  useEffect(() => {
    if (!enrolment) return;
    QRCode.toDataURL(enrolment.otpauth_uri, { margin: 1, width: 160 })
      .then(setQr)
      .catch(() => setQr(null));
  }, [enrolment]);

  async function begin() {
    try {
      setEnrolment(await setup.mutateAsync());
      setState('enrolling');
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) setState('enabled');
    }
  }

  async function confirm(event: FormEvent) {
    event.preventDefault();
    await enable.mutateAsync(code);
    setCode('');
    setEnrolment(null);
    setState('enabled');
    toast.success('Two-factor authentication enabled');
  }

  async function turnOff(event: FormEvent) {
    event.preventDefault();
    await disable.mutateAsync(code);
    setCode('');
    setState('unknown');
    toast.success('Two-factor authentication disabled');
  }

  return (
    <div className="space-y-2">
      <h3 className="text-xs font-semibold">Two-factor authentication (TOTP)</h3>
      <p className="text-xs text-muted-foreground">
        A code from an authenticator app is asked at sign-in and for password resets.
      </p>
      {state === 'unknown' ? (
        <>
          <Button size="sm" variant="outline" onClick={() => void begin()} disabled={setup.isPending}>
            Set up two-factor
          </Button>
          {setup.error && !(setup.error instanceof ApiError && setup.error.status === 409) ? (
            <ErrorText error={setup.error} />
          ) : null}
        </>
      ) : null}
      {state === 'enrolling' && enrolment ? (
        <form className="space-y-2" onSubmit={(e) => void confirm(e).catch(() => {})}>
          <div className="flex items-start gap-3">
            {qr ? (
              <img
                src={qr}
                alt="QR code for your authenticator app"
                className="size-32 rounded bg-white p-1"
              />
            ) : null}
            <div className="min-w-0 space-y-1 text-xs">
              <p>Scan the code, or enter this secret by hand:</p>
              <code
                className="block break-all rounded border bg-background px-1.5 py-1 font-mono"
                data-testid="totp-secret"
              >
                {enrolment.secret}
              </code>
            </div>
          </div>
          <div className="space-y-1">
            <Label htmlFor="totp-enable-code">Code from the app</Label>
            <Input
              id="totp-enable-code"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              value={code}
              onChange={(e) => setCode(digits(e.target.value))}
            />
          </div>
          <ErrorText error={enable.error} />
          <Button type="submit" size="sm" disabled={enable.isPending || code.length !== 6}>
            Enable
          </Button>
        </form>
      ) : null}
      {state === 'enabled' ? (
        <form className="space-y-2" onSubmit={(e) => void turnOff(e).catch(() => {})}>
          <p className="text-xs text-profit" data-testid="totp-enabled">
            Two-factor authentication is on.
          </p>
          <div className="space-y-1">
            <Label htmlFor="totp-disable-code">Code to turn it off</Label>
            <Input
              id="totp-disable-code"
              inputMode="numeric"
              required
              value={code}
              onChange={(e) => setCode(digits(e.target.value))}
            />
          </div>
          <ErrorText error={disable.error} />
          <Button
            type="submit"
            size="sm"
            variant="destructive"
            disabled={disable.isPending || code.length !== 6}
          >
            Disable
          </Button>
        </form>
      ) : null}
    </div>
  );
}
