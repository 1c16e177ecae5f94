/** Orders, trades, positions and holdings of the signed-in user (session routes). */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '@/lib/api/envelope';
import { requestJson } from '@/lib/api/http';
import type { Envelope, Holdings, OrderBook, Position, PriceType, Product, Trade } from '@/lib/api/pending';
import { BOOK_KEYS } from '@/lib/realtime/order-events';
import { useSocketState } from '@/lib/realtime/socket';

/** Without the push channel, books refresh on a short timer instead. */
export function useBookRefetchInterval(): number | false {
  return useSocketState((s) => s.state) === 'connected' ? false : 3000;
}

export const ordersQuery = queryOptions({
  queryKey: ['orders'],
  queryFn: async () => unwrap(await requestJson<Envelope<OrderBook>>('GET', '/web/orders')),
});
export const tradesQuery = queryOptions({
  queryKey: ['trades'],
  queryFn: async () => unwrap(await requestJson<Envelope<Trade[]>>('GET', '/web/trades')),
});
export const positionsQuery = queryOptions({
  queryKey: ['positions'],
  queryFn: async () => unwrap(await requestJson<Envelope<Position[]>>('GET', '/web/positions')),
});
export const holdingsQuery = queryOptions({
  queryKey: ['holdings'],
  queryFn: async () => unwrap(await requestJson<Envelope<Holdings>>('GET', '/web/holdings')),
});

function useBookMutation<V>(fn: (vars: V) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => Promise.all(BOOK_KEYS.map((key) => client.invalidateQueries({ queryKey: key }))),
  });
}

export const useCancelOrder = () =>
  useBookMutation((orderid: string) => requestJson('DELETE', `/web/orders/${encodeURIComponent(orderid)}`));
export const useCancelAll = () => useBookMutation(() => requestJson('POST', '/web/orders/cancel-all'));
export const useModifyOrder = () =>
  useBookMutation(
    (v: {
      orderid: string;
      quantity: number;
      price: number;
      trigger_price: number;
      pricetype: PriceType;
    }) => {
      const { orderid, ...body } = v;
      return requestJson('PUT', `/web/orders/${encodeURIComponent(orderid)}`, body);
    },
  );
export const useClosePosition = () =>
  useBookMutation((v: { symbol: string; exchange: string; product: Product }) =>
    requestJson('POST', '/web/positions/close', v),
  );
export const useCloseAll = () => useBookMutation(() => requestJson('POST', '/web/positions/close-all'));
