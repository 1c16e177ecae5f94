import { useQuery } from '@tanstack/react-query';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Switch } from '@/components/ui/switch';
import { toast } from '@/stores/toasts';
import { telegramQuery, useLinkCode, useTelegramChange } from './telegram';

/** Link a Telegram chat for order alerts and /positions, /funds, /orderbook, /pnl. */
export function TelegramCard() {
  const status = useQuery(telegramQuery);
  const code = useLinkCode();
  const change = useTelegramChange();
  const s = status.data;
  if (!s) return null;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Telegram</CardTitle>
        {s.linked ? (
          <Badge tone="profit">linked{s.telegram_username ? ` · @${s.telegram_username}` : ''}</Badge>
        ) : (
          <Badge tone="neutral">not linked</Badge>
        )}
      </CardHeader>
      <CardContent className="space-y-2 text-xs">
        {!s.enabled ? (
          <p className="text-muted-foreground">
            The administrator has not configured a bot (TELEGRAM_BOT_TOKEN).
          </p>
        ) : s.linked ? (
          <div className="flex items-center gap-3">
            <label className="flex items-center gap-2" htmlFor="telegram-alerts">
              <Switch
                id="telegram-alerts"
                label="Order alerts on Telegram"
                checked={s.alerts_enabled}
                onCheckedChange={(on) => change.mutate({ alerts_enabled: on })}
              />
              Order alerts
            </label>
            <Button size="xs" variant="outline" onClick={() => change.mutate({ unlink: true })}>
              Unlink
            </Button>
          </div>
        ) : (
          <>
            <Button
              size="sm"
              variant="outline"
              disabled={code.isPending}
              onClick={() => code.mutate(undefined, { onError: (e) => toast.error(e.message) })}
            >
              Get a link code
            </Button>
            {code.data ? (
              <p>
                Send <code className="rounded bg-muted px-1">{code.data.command}</code> to{' '}
                {code.data.deep_link ? (
                  <a
                    className="text-primary underline"
                    href={code.data.deep_link}
                    target="_blank"
                    rel="noreferrer"
                  >
                    @{s.bot_username}
                  </a>
                ) : (
                  'the bot'
                )}
                . The code works once.
              </p>
            ) : null}
          </>
        )}
      </CardContent>
    </Card>
  );
}
