import { useQuery } from '@tanstack/react-query';
import { Copy, Plus, Trash2 } from 'lucide-react';
import { type FormEvent, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { paths, strategyPath } from '@/app/paths';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Input, Label, Select } from '@/components/ui/input';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { Switch } from '@/components/ui/switch';
import { formatIstDateTime, formatIstTime, toEpochMs } from '@/lib/format';
import { toast } from '@/stores/toasts';
import {
  EMPTY_STRATEGY,
  type Product,
  type Strategy,
  type StrategyInput,
  type StrategyLogLine,
  type SymbolMapping,
  sampleAlert,
  strategyLogQuery,
  strategyQuery,
  useDeleteStrategy,
  useSaveStrategy,
} from './api';

const PRODUCTS: Product[] = ['MIS', 'CNC', 'NRML'];
const OUTCOME_TONE: Record<string, 'profit' | 'loss' | 'warning' | 'neutral'> = {
  executed: 'profit',
  squareoff: 'profit',
  queued: 'warning',
  rejected: 'loss',
  malformed: 'loss',
  error: 'loss',
  duplicate: 'neutral',
};

const logColumns: Column<StrategyLogLine>[] = [
  {
    id: 'time',
    header: 'Time',
    cell: (l) => <span title={formatIstDateTime(l.created_at)}>{formatIstTime(l.created_at)}</span>,
    sortValue: (l) => toEpochMs(l.created_at),
  },
  { id: 'signal', header: 'Signal', cell: (l) => l.signal || '—' },
  { id: 'symbol', header: 'Symbol', cell: (l) => l.symbol || '—' },
  {
    id: 'outcome',
    header: 'Outcome',
    cell: (l) => <Badge tone={OUTCOME_TONE[l.outcome] ?? 'neutral'}>{l.outcome}</Badge>,
  },
  {
    id: 'message',
    header: 'Message',
    cell: (l) => <span className="text-muted-foreground">{l.message}</span>,
  },
];

function toInput(strategy: Strategy): StrategyInput {
  const { id: _id, webhook_id: _w, webhook_url: _u, created_at: _c, ...input } = strategy;
  return { ...input, symbols: strategy.symbols.map(({ id: _sid, ...m }) => m) };
}

function WebhookCard({ strategy }: { strategy: Strategy }) {
  const copy = (text: string, what: string) =>
    navigator.clipboard.writeText(text).then(
      () => toast.success(`${what} copied`),
      () => toast.error('Copy failed'),
    );
  const sample = sampleAlert(strategy.platform, strategy.symbols[0]?.alert_symbol);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Webhook</CardTitle>
      </CardHeader>
      <CardContent className="space-y-2">
        <div className="flex items-center gap-2">
          <code className="flex-1 truncate rounded bg-muted px-2 py-1 text-xs" data-testid="webhook-url">
            {strategy.webhook_url}
          </code>
          <Button size="sm" variant="outline" onClick={() => void copy(strategy.webhook_url, 'Webhook URL')}>
            <Copy /> Copy
          </Button>
        </div>
        <p className="text-xs text-muted-foreground">
          Keep this URL secret: anyone holding it can send this strategy's alerts. Sample alert message:
        </p>
        <pre className="rounded bg-muted p-2 text-xs">{sample}</pre>
        <Button size="xs" variant="ghost" onClick={() => void copy(sample, 'Sample alert')}>
          <Copy /> Copy sample
        </Button>
      </CardContent>
    </Card>
  );
}

function MappingRows({
  rows,
  onChange,
}: {
  rows: SymbolMapping[];
  onChange: (rows: SymbolMapping[]) => void;
}) {
  const update = (at: number, patch: Partial<SymbolMapping>) =>
    onChange(rows.map((row, i) => (i === at ? { ...row, ...patch } : row)));
  return (
    <div className="space-y-1">
      {rows.map((row, at) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity until saved
        <div key={at} className="grid grid-cols-[1fr_6rem_1fr_6rem_6rem_2rem] gap-1">
          <Input
            aria-label="Alert symbol"
            placeholder="Alert symbol"
            value={row.alert_symbol}
            onChange={(e) => update(at, { alert_symbol: e.target.value.toUpperCase() })}
          />
          <Input
            aria-label="Exchange"
            value={row.exchange}
            onChange={(e) => update(at, { exchange: e.target.value.toUpperCase() })}
          />
          <Input
            aria-label="Symbol"
            placeholder="Trading symbol"
            value={row.symbol}
            onChange={(e) => update(at, { symbol: e.target.value.toUpperCase() })}
          />
          <Input
            aria-label="Quantity"
            type="number"
            min={1}
            value={row.quantity}
            onChange={(e) => update(at, { quantity: Number(e.target.value) })}
          />
          <Select
            aria-label="Product"
            value={row.product}
            onChange={(e) => update(at, { product: e.target.value as Product })}
          >
            {PRODUCTS.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </Select>
          <Button
            size="icon"
            variant="ghost"
            aria-label="Remove mapping"
            onClick={() => onChange(rows.filter((_, i) => i !== at))}
          >
            <Trash2 />
          </Button>
        </div>
      ))}
      <Button
        size="xs"
        variant="outline"
        onClick={() =>
          onChange([...rows, { alert_symbol: '', exchange: 'NSE', symbol: '', quantity: 1, product: 'MIS' }])
        }
      >
        <Plus /> Add symbol
      </Button>
    </div>
  );
}

export function StrategyEditPage() {
  const params = useParams();
  const id = params.id ? Number(params.id) : undefined;
  const existing = useQuery({ ...strategyQuery(id ?? 0), enabled: id !== undefined });
  const log = useQuery({ ...strategyLogQuery(id ?? 0), enabled: id !== undefined });
  const save = useSaveStrategy();
  const remove = useDeleteStrategy();
  const navigate = useNavigate();
  const [form, setForm] = useState<StrategyInput>(EMPTY_STRATEGY);
  useEffect(() => {
    if (existing.data) setForm(toInput(existing.data));
  }, [existing.data]);
  const set = (patch: Partial<StrategyInput>) => setForm((f) => ({ ...f, ...patch }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(
      { id, input: form },
      {
        onSuccess: (saved) => {
          toast.success('Strategy saved');
          if (saved && id === undefined) navigate(strategyPath(saved.id));
        },
        onError: (error) => toast.error('Could not save', { description: error.message }),
      },
    );
  };

  if (id !== undefined && existing.isPending) return <LoadingState />;
  if (id !== undefined && existing.isError)
    return <ErrorState error={existing.error} onRetry={() => void existing.refetch()} />;

  return (
    <div className="space-y-3">
      <Card>
        <CardHeader>
          <CardTitle as="h1">{id === undefined ? 'New strategy' : form.name || 'Strategy'}</CardTitle>
          {id !== undefined ? (
            <ConfirmButton
              title="Delete this strategy?"
              description="Its webhook stops working at once; the log is deleted too."
              confirmLabel="Delete"
              variant="destructive"
              size="sm"
              onConfirm={() => remove.mutateAsync(id).then(() => navigate(paths.strategies))}
            >
              Delete
            </ConfirmButton>
          ) : null}
        </CardHeader>
        <CardContent>
          <form className="grid gap-3 md:grid-cols-2" onSubmit={submit}>
            <div className="space-y-1">
              <Label htmlFor="s-name">Name</Label>
              <Input id="s-name" required value={form.name} onChange={(e) => set({ name: e.target.value })} />
            </div>
            <div className="space-y-1">
              <Label htmlFor="s-platform">Platform</Label>
              <Select
                id="s-platform"
                value={form.platform}
                onChange={(e) => set({ platform: e.target.value as StrategyInput['platform'] })}
              >
                <option value="tradingview">TradingView</option>
                <option value="chartink">Chartink</option>
                <option value="amibroker">Amibroker / API</option>
              </Select>
            </div>
            <div className="space-y-1">
              <Label htmlFor="s-mode">Trading mode</Label>
              <Select
                id="s-mode"
                value={form.trading_mode}
                onChange={(e) => set({ trading_mode: e.target.value as StrategyInput['trading_mode'] })}
              >
                <option value="LONG">Long only (BUY enters, SELL exits)</option>
                <option value="SHORT">Short only (SELL/SHORT enters, BUY/COVER exits)</option>
                <option value="BOTH">Both (position sizing)</option>
              </Select>
            </div>
            <div className="space-y-1">
              <Label htmlFor="s-product">Default product</Label>
              <Select
                id="s-product"
                value={form.product}
                onChange={(e) => set({ product: e.target.value as Product })}
              >
                {PRODUCTS.map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </Select>
            </div>
            <label className="flex items-center gap-2 text-sm" htmlFor="s-intraday">
              <Switch
                id="s-intraday"
                label="Intraday"
                checked={form.is_intraday}
                onCheckedChange={(on) => set({ is_intraday: on })}
              />
              Intraday (entries only inside the window, automatic square-off)
            </label>
            <label className="flex items-center gap-2 text-sm" htmlFor="s-active">
              <Switch
                id="s-active"
                label="Active"
                checked={form.is_active}
                onCheckedChange={(on) => set({ is_active: on })}
              />
              Active
            </label>
            {form.is_intraday ? (
              <div className="grid grid-cols-3 gap-2 md:col-span-2">
                {(
                  [
                    ['start_time', 'Start (IST)'],
                    ['end_time', 'Last entry (IST)'],
                    ['squareoff_time', 'Square-off (IST)'],
                  ] as const
                ).map(([key, label]) => (
                  <div key={key} className="space-y-1">
                    <Label htmlFor={`s-${key}`}>{label}</Label>
                    <Input
                      id={`s-${key}`}
                      type="time"
                      value={form[key] ?? ''}
                      onChange={(e) => set({ [key]: e.target.value })}
                    />
                  </div>
                ))}
              </div>
            ) : null}
            <div className="space-y-1 md:col-span-2">
              <Label>Symbol mappings (alert symbol → exchange, symbol, quantity, product)</Label>
              <MappingRows rows={form.symbols} onChange={(symbols) => set({ symbols })} />
            </div>
            <div className="md:col-span-2">
              <Button type="submit" disabled={save.isPending}>
                {id === undefined ? 'Create strategy' : 'Save changes'}
              </Button>
            </div>
          </form>
        </CardContent>
      </Card>
      {existing.data ? <WebhookCard strategy={existing.data} /> : null}
      {id !== undefined ? (
        <Card>
          <CardHeader>
            <CardTitle>Alert log</CardTitle>
          </CardHeader>
          {log.isPending ? (
            <LoadingState />
          ) : log.isError ? (
            <ErrorState error={log.error} onRetry={() => void log.refetch()} />
          ) : (log.data ?? []).length === 0 ? (
            <EmptyState title="No alerts received yet" />
          ) : (
            <DataTable
              label="Strategy log"
              rows={log.data ?? []}
              columns={logColumns}
              rowKey={(l) => String(l.id)}
              initialSort={{ id: 'time', dir: 'desc' }}
            />
          )}
        </Card>
      ) : null}
    </div>
  );
}
