/**
 * One Socket.IO connection for the whole app (same origin, cookie-authenticated, so events are
 * per user: the server puts each socket in its user's room). Market-data subscriptions
 * (`subscribe_market_data`, Depth mode so best bid/ask and the ladder come along) are
 * reference-counted and replayed after a reconnect; ticks land in the ticks store. Other events
 * are fanned out to listeners (query invalidation).
 */
import { io, type Socket } from 'socket.io-client';
import { create } from 'zustand';
import { fromFeed, symbolKey, type TickInput, useTicks } from '@/stores/ticks';

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'disconnected';

export const useSocketState = create<{ state: ConnectionState }>(() => ({ state: 'idle' }));

/** Per-symbol subscription failures the server reported (e.g. no feed for that symbol). */
export const useFeedErrors = create<{ errors: Record<string, string> }>(() => ({ errors: {} }));

interface SubscribeAck {
  status: string;
  message?: string;
  subscriptions?: { exchange: string; symbol: string; status: string; message?: string }[];
}

function onSubscribeAck(ack: SubscribeAck | undefined): void {
  if (!ack?.subscriptions) return;
  const errors = { ...useFeedErrors.getState().errors };
  for (const item of ack.subscriptions) {
    const key = symbolKey(item.exchange, item.symbol);
    if (item.status === 'success') delete errors[key];
    else errors[key] = item.message ?? 'Subscription failed';
  }
  useFeedErrors.setState({ errors });
}

/** Events that mean "books, positions or funds changed". */
export const ORDER_EVENTS = [
  'order_event',
  'order_update',
  'analyzer_update',
  'cancel_order_event',
  'modify_order_event',
  'close_position_event',
] as const;

const MODE = 'Depth';
const SUBSCRIBE = 'subscribe_market_data';
const UNSUBSCRIBE = 'unsubscribe_market_data';

interface MarketData {
  symbol: string;
  exchange: string;
  data: TickInput;
}

let socket: Socket | null = null;
const subscriptions = new Map<string, number>();

function toWire(keys: string[]) {
  return keys.map((key) => {
    const [exchange = '', symbol = ''] = key.split(':');
    return { exchange, symbol };
  });
}

export function getSocket(): Socket {
  if (socket) return socket;
  useSocketState.setState({ state: 'connecting' });
  socket = io({
    path: '/socket.io',
    withCredentials: true,
    transports: ['websocket', 'polling'],
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10_000,
  });
  socket.on('connect', () => {
    useSocketState.setState({ state: 'connected' });
    if (subscriptions.size)
      socket?.emit(SUBSCRIBE, { symbols: toWire([...subscriptions.keys()]), mode: MODE }, onSubscribeAck);
  });
  socket.on('disconnect', () => useSocketState.setState({ state: 'disconnected' }));
  socket.on('connect_error', () => useSocketState.setState({ state: 'disconnected' }));
  socket.on('market_data', (message: MarketData) => {
    if (message?.data && typeof message.data.ltp === 'number') {
      useTicks.getState().apply(symbolKey(message.exchange, message.symbol), fromFeed(message.data));
    }
  });
  return socket;
}

export function closeSocket(): void {
  socket?.close();
  socket = null;
  subscriptions.clear();
  useSocketState.setState({ state: 'idle' });
}

/** Subscribe to quotes for `keys` (EXCHANGE:SYMBOL); returns the matching unsubscribe. */
export function subscribeQuotes(keys: string[]): () => void {
  const fresh: string[] = [];
  for (const key of keys) {
    const count = subscriptions.get(key) ?? 0;
    subscriptions.set(key, count + 1);
    if (count === 0) fresh.push(key);
  }
  const s = getSocket();
  if (fresh.length && s.connected) s.emit(SUBSCRIBE, { symbols: toWire(fresh), mode: MODE }, onSubscribeAck);
  return () => {
    const gone: string[] = [];
    for (const key of keys) {
      const count = (subscriptions.get(key) ?? 1) - 1;
      if (count <= 0) {
        subscriptions.delete(key);
        gone.push(key);
      } else subscriptions.set(key, count);
    }
    if (gone.length && socket?.connected) socket.emit(UNSUBSCRIBE, { symbols: toWire(gone), mode: MODE });
  };
}

/** Listen to server events; returns the unsubscribe. */
export function onServerEvents(
  events: readonly string[],
  handler: (event: string, payload: unknown) => void,
): () => void {
  const s = getSocket();
  const bound = events.map((event) => {
    const fn = (payload: unknown) => handler(event, payload);
    s.on(event, fn);
    return [event, fn] as const;
  });
  return () => {
    for (const [event, fn] of bound) s.off(event, fn);
  };
}

export function activeSubscriptions(): string[] {
  return [...subscriptions.keys()];
}
