import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Input, Label } from '@/components/ui/input';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { toast } from '@/stores/toasts';
import {
  type BrokerField,
  brokerSetupQuery,
  useBrokerLogin,
  useBrokerLogout,
  useSaveBrokerCredentials,
} from './api';

function Fields({
  fields,
  values,
  onChange,
  prefix,
}: {
  fields: BrokerField[];
  values: Record<string, string>;
  onChange: (name: string, value: string) => void;
  prefix: string;
}) {
  return (
    <>
      {fields.map((field) => (
        <div key={field.name} className="space-y-1">
          <Label htmlFor={`${prefix}-${field.name}`}>
            {field.label}
            {field.required ? '' : ' (optional)'}
          </Label>
          <Input
            id={`${prefix}-${field.name}`}
            type={field.secret ? 'password' : 'text'}
            autoComplete="off"
            value={values[field.name] ?? ''}
            placeholder={field.stored ? 'stored — leave empty to keep' : ''}
            onChange={(event) => onChange(field.name, event.target.value)}
          />
          {field.help ? <p className="text-[11px] text-muted-foreground">{field.help}</p> : null}
        </div>
      ))}
    </>
  );
}

/** Outcome of the OAuth round trip: the callback redirects here with `?login=success|error`. */
function useCallbackOutcome() {
  const [params, setParams] = useSearchParams();
  useEffect(() => {
    const outcome = params.get('login');
    if (!outcome) return;
    if (outcome === 'success') toast.success(`Logged in to ${params.get('broker') ?? 'the broker'}`);
    else toast.error(params.get('message') ?? 'Broker login failed');
    setParams({}, { replace: true });
  }, [params, setParams]);
}

export function BrokerLoginCard({ broker }: { broker: string }) {
  useCallbackOutcome();
  const setup = useQuery(brokerSetupQuery(broker));
  const save = useSaveBrokerCredentials(broker);
  const login = useBrokerLogin(broker);
  const logout = useBrokerLogout(broker);
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [loginValues, setLoginValues] = useState<Record<string, string>>({});

  if (setup.isPending) return <LoadingState />;
  if (setup.isError) return <ErrorState error={setup.error} onRetry={() => void setup.refetch()} />;
  const info = setup.data;
  const missing = info.credential_fields.filter((f) => f.required && !f.stored);

  const onSave = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(credentials, {
      onSuccess: () => {
        setCredentials({});
        toast.success('Credentials saved (encrypted)');
      },
      onError: (error) => toast.error(error.message),
    });
  };
  const onLogin = (event: FormEvent) => {
    event.preventDefault();
    login.mutate(loginValues, {
      onSuccess: (result) => {
        setLoginValues({});
        if (result.redirect) window.location.assign(result.redirect);
        else toast.success(`Logged in to ${info.display_name}`);
      },
      onError: (error) => toast.error(error.message),
    });
  };

  return (
    <Card data-testid="broker-login">
      <CardHeader>
        <CardTitle>{info.display_name} login</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4 md:grid-cols-2">
        <form className="space-y-2" onSubmit={onSave} aria-label="Broker credentials">
          <p className="text-xs text-muted-foreground">
            Stored once, encrypted; never shown again.
            {info.redirect_url ? (
              <>
                {' '}
                Register this redirect URL with your broker app: <code>{info.redirect_url}</code>
              </>
            ) : null}
          </p>
          <Fields
            prefix="credential"
            fields={info.credential_fields}
            values={credentials}
            onChange={(name, value) => setCredentials((old) => ({ ...old, [name]: value }))}
          />
          <Button type="submit" size="sm" disabled={save.isPending}>
            Save credentials
          </Button>
        </form>
        <form className="space-y-2" onSubmit={onLogin} aria-label="Broker login">
          <p className="text-xs text-muted-foreground">
            {missing.length
              ? `Save ${missing.map((f) => f.label).join(', ')} first.`
              : info.auth_type === 'oauth'
                ? 'You will be sent to the broker to log in, then brought back here.'
                : 'Logs in now; nothing you type here is stored.'}
          </p>
          <Fields
            prefix="login"
            fields={info.login_fields}
            values={loginValues}
            onChange={(name, value) => setLoginValues((old) => ({ ...old, [name]: value }))}
          />
          <div className="flex gap-2">
            <Button type="submit" size="sm" disabled={login.isPending || missing.length > 0}>
              Log in to {info.display_name}
            </Button>
            {info.state === 'connected' || info.state === 'expiring' ? (
              <Button
                type="button"
                size="sm"
                variant="outline"
                disabled={logout.isPending}
                onClick={() => logout.mutate(undefined, { onSuccess: () => toast.success('Logged out') })}
              >
                Log out
              </Button>
            ) : null}
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
