/** IV history: a strike's (ATM by default) CE and PE implied volatility and greeks through today. */
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Stat } from '@/components/ui/stat';
import { LoadingState } from '@/components/ui/states';
import { cn } from '@/lib/cn';
import { formatNumber } from '@/lib/format';
import { type Intraday, type IVHistoryResponse, ivHistoryQuery } from './api';
import { IntervalSelect, OptionsPage, QueryFrame, useSelection } from './OptionsPage';
import { CALL_COLOR, PUT_COLOR } from './StrikeBars';
import type { TimeSeries } from './TimeLines';

const TimeLines = lazy(() => import('./TimeLines'));
const METRICS = ['iv', 'delta', 'gamma', 'theta', 'vega'] as const;
type Metric = (typeof METRICS)[number];

export function IvChartPage() {
  const selection = useSelection();
  const [interval, setInterval] = useState<Intraday>('5m');
  const [strikeText, setStrikeText] = useState('');
  const strike = Number(strikeText) > 0 ? Number(strikeText) : null;
  const query = useQuery(ivHistoryQuery(selection, interval, strike));
  return (
    <OptionsPage
      title="IV chart"
      controls={
        <>
          <Input
            aria-label="Strike (blank for ATM)"
            placeholder="ATM"
            className="w-24"
            inputMode="decimal"
            value={strikeText}
            onChange={(e) => setStrikeText(e.target.value)}
          />
          <IntervalSelect value={interval} onChange={setInterval} />
        </>
      }
    >
      <QueryFrame query={query}>{(data) => <IvBody data={data} />}</QueryFrame>
    </OptionsPage>
  );
}

function IvBody({ data }: { data: IVHistoryResponse }) {
  const [metric, setMetric] = useState<Metric>('iv');
  const series = useMemo<TimeSeries[]>(
    () => [
      {
        label: `CE ${metric}`,
        color: CALL_COLOR,
        points: data.data.map((p) => ({ time: p.timestamp, value: p.ce?.[metric] ?? null })),
      },
      {
        label: `PE ${metric}`,
        color: PUT_COLOR,
        points: data.data.map((p) => ({ time: p.timestamp, value: p.pe?.[metric] ?? null })),
      },
    ],
    [data, metric],
  );
  const last = data.data[data.data.length - 1];
  return (
    <div className="space-y-3">
      <div className="grid grid-cols-2 gap-2 md:grid-cols-4">
        <Stat label={data.is_atm ? 'Strike (ATM)' : 'Strike'} value={data.strike} />
        <Stat label="CE IV" value={last?.ce?.iv == null ? '—' : `${formatNumber(last.ce.iv)}%`} />
        <Stat label="PE IV" value={last?.pe?.iv == null ? '—' : `${formatNumber(last.pe.iv)}%`} />
        <Stat label="Forward" value={formatNumber(last?.forward)} />
      </div>
      <div className="flex gap-1" role="tablist" aria-label="Metric">
        {METRICS.map((m) => (
          <Button
            key={m}
            role="tab"
            aria-selected={metric === m}
            size="sm"
            variant="outline"
            className={cn(metric === m && 'bg-accent')}
            onClick={() => setMetric(m)}
          >
            {m === 'iv' ? 'IV' : m[0]?.toUpperCase() + m.slice(1)}
          </Button>
        ))}
      </div>
      {data.data.length === 0 ? (
        <p className="text-sm text-muted-foreground">No candles yet today.</p>
      ) : (
        <Suspense fallback={<LoadingState label="Loading chart…" />}>
          <TimeLines series={series} />
        </Suspense>
      )}
    </div>
  );
}
