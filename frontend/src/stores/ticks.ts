/** Live market data keyed by `EXCHANGE:SYMBOL`, fed by Socket.IO ticks or the quotes poller. */
import { create } from 'zustand';

export interface DepthLevel {
  price: number;
  quantity: number;
  orders?: number;
}

export interface Tick {
  ltp: number;
  depth?: { buy: DepthLevel[]; sell: DepthLevel[] };
  open?: number;
  high?: number;
  low?: number;
  prev_close?: number;
  bid?: number;
  ask?: number;
  volume?: number;
  change?: number;
  change_percent?: number;
  /** Direction of the last LTP move, for the flash colour. */
  direction: 'up' | 'down' | 'flat';
  updatedAt: number;
}

export type TickInput = Omit<Tick, 'direction' | 'updatedAt'> & { close?: number };

/** The feed's `data` object (Depth mode carries the book; best bid/ask are read from it). */
export function fromFeed(data: TickInput): TickInput {
  const bid = data.depth?.buy?.[0]?.price;
  const ask = data.depth?.sell?.[0]?.price;
  return { ...data, ...(bid ? { bid } : {}), ...(ask ? { ask } : {}) };
}

export function symbolKey(exchange: string, symbol: string): string {
  return `${exchange.toUpperCase()}:${symbol.toUpperCase()}`;
}

interface TicksState {
  ticks: Record<string, Tick>;
  apply: (key: string, input: TickInput, at?: number) => void;
  applyMany: (entries: [string, TickInput][], at?: number) => void;
  clear: () => void;
}

function merge(previous: Tick | undefined, input: TickInput, at: number): Tick {
  const prevClose = input.prev_close ?? input.close ?? previous?.prev_close;
  const change = input.change ?? (prevClose ? input.ltp - prevClose : previous?.change);
  const changePercent =
    input.change_percent ?? (prevClose ? ((input.ltp - prevClose) / prevClose) * 100 : undefined);
  const direction =
    !previous || previous.ltp === input.ltp
      ? (previous?.direction ?? 'flat')
      : input.ltp > previous.ltp
        ? 'up'
        : 'down';
  const { close: _close, ...rest } = input;
  return {
    ...previous,
    ...rest,
    prev_close: prevClose,
    change,
    change_percent: changePercent,
    direction,
    updatedAt: at,
  };
}

export const useTicks = create<TicksState>((set) => ({
  ticks: {},
  apply: (key, input, at = Date.now()) =>
    set((s) => ({ ticks: { ...s.ticks, [key]: merge(s.ticks[key], input, at) } })),
  applyMany: (entries, at = Date.now()) =>
    set((s) => {
      const ticks = { ...s.ticks };
      for (const [key, input] of entries) ticks[key] = merge(ticks[key], input, at);
      return { ticks };
    }),
  clear: () => set({ ticks: {} }),
}));

/** Subscribe one component to one symbol's tick (re-renders only when that symbol changes). */
export function useTick(key: string): Tick | undefined {
  return useTicks((s) => s.ticks[key]);
}
