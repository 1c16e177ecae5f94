import { useQuery } from '@tanstack/react-query';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { sessionQuery } from '@/lib/api/session';
import { cn } from '@/lib/cn';
import { type Theme, useTheme } from '@/stores/theme';
import { SecurityCard } from './SecurityCard';

export function SettingsPage() {
  const { theme, setTheme } = useTheme();
  const session = useQuery(sessionQuery);
  const user = session.data?.user;
  return (
    <div className="max-w-2xl space-y-3">
      <h1 className="text-base font-semibold">Settings</h1>
      <Card>
        <CardHeader>
          <CardTitle>Theme</CardTitle>
        </CardHeader>
        <CardContent>
          <fieldset className="m-0 min-w-0 border-0 p-0 flex gap-2">
            <legend className="sr-only">Theme</legend>
            {(['dark', 'light'] as Theme[]).map((t) => (
              <button
                key={t}
                type="button"
                aria-pressed={theme === t}
                onClick={() => setTheme(t)}
                className={cn(
                  'h-16 w-28 rounded-md border text-xs capitalize',
                  theme === t ? 'border-primary ring-2 ring-primary/40' : '',
                )}
              >
                <span
                  className={cn(
                    'mx-auto mb-1 block h-6 w-16 rounded',
                    t === 'dark' ? 'bg-[#0b0e14]' : 'border bg-white',
                  )}
                />
                {t}
              </button>
            ))}
          </fieldset>
        </CardContent>
      </Card>
      {user ? <SecurityCard /> : null}
      <Card>
        <CardHeader>
          <CardTitle>Order mode</CardTitle>
        </CardHeader>
        <CardContent className="text-xs text-muted-foreground">
          Auto (orders go straight to the broker). Semi-auto approval arrives with the Action Center.
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Session</CardTitle>
        </CardHeader>
        <CardContent className="text-xs">
          {user ? (
            <p>
              Signed in as <strong>{user.username}</strong> {user.is_admin ? '(administrator)' : '(trader)'}.
              Sessions end daily at 03:30 IST.
            </p>
          ) : (
            <p className="text-muted-foreground">Not signed in.</p>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
