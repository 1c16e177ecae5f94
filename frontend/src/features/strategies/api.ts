import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { requestJson } from '@/lib/api/http';

export type Platform = 'tradingview' | 'chartink' | 'amibroker';
export type TradingMode = 'LONG' | 'SHORT' | 'BOTH';
export type Product = 'MIS' | 'CNC' | 'NRML';

export interface SymbolMapping {
  id?: number;
  alert_symbol: string;
  exchange: string;
  symbol: string;
  quantity: number;
  product: Product;
}

export interface StrategyInput {
  name: string;
  platform: Platform;
  trading_mode: TradingMode;
  is_intraday: boolean;
  start_time: string | null;
  end_time: string | null;
  squareoff_time: string | null;
  product: Product;
  is_active: boolean;
  symbols: SymbolMapping[];
}

export interface Strategy extends StrategyInput {
  id: number;
  webhook_id: string;
  webhook_url: string;
  created_at: string;
}

export interface StrategyLogLine {
  id: number;
  created_at: string;
  signal: string;
  symbol: string;
  outcome: string;
  message: string;
  payload: string;
  response: string;
}

const BASE = '/web/strategies';

export const strategiesQuery = queryOptions({
  queryKey: ['strategies'],
  queryFn: async () => (await requestJson<{ data: Strategy[] }>('GET', BASE)).data,
});

export const strategyQuery = (id: number) =>
  queryOptions({
    queryKey: ['strategies', id],
    queryFn: async () => (await requestJson<{ data: Strategy }>('GET', `${BASE}/${id}`)).data,
  });

export const strategyLogQuery = (id: number) =>
  queryOptions({
    queryKey: ['strategies', id, 'log'],
    queryFn: async () => (await requestJson<{ data: StrategyLogLine[] }>('GET', `${BASE}/${id}/logs`)).data,
    refetchInterval: 5000, // alerts arrive from outside; a light poll keeps the log current
  });

function useStrategyMutation<V>(fn: (v: V) => Promise<Strategy | null>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => client.invalidateQueries({ queryKey: ['strategies'] }),
  });
}

export const useSaveStrategy = () =>
  useStrategyMutation(async ({ id, input }: { id?: number; input: StrategyInput }) => {
    const path = id === undefined ? BASE : `${BASE}/${id}`;
    return (await requestJson<{ data: Strategy }>(id === undefined ? 'POST' : 'PUT', path, input)).data;
  });

export const useDeleteStrategy = () =>
  useStrategyMutation(async (id: number) => {
    await requestJson('DELETE', `${BASE}/${id}`);
    return null;
  });

export const EMPTY_STRATEGY: StrategyInput = {
  name: '',
  platform: 'tradingview',
  trading_mode: 'LONG',
  is_intraday: true,
  start_time: '09:20',
  end_time: '15:00',
  squareoff_time: '15:15',
  product: 'MIS',
  is_active: true,
  symbols: [],
};

/** The alert body to paste into TradingView / Chartink for this strategy. */
export function sampleAlert(platform: Platform, symbol = 'SBIN'): string {
  if (platform === 'chartink') {
    return JSON.stringify(
      {
        stocks: `${symbol},INFY`,
        trigger_prices: '800.5,1500.2',
        triggered_at: '10:15 am',
        scan_name: 'Breakout BUY',
        scan_url: 'breakout-buy',
        alert_name: 'Breakout',
        webhook_url: '<this URL>',
      },
      null,
      2,
    );
  }
  return JSON.stringify(
    { symbol, action: '{{strategy.order.action}}', position_size: '{{strategy.position_size}}' },
    null,
    2,
  );
}
