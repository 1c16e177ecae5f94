/** Orders, trades, positions and holdings of the signed-in user: /web/trading (session + CSRF). */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api/client';
import { unwrap } from '@/lib/api/envelope';
import type { Envelope, Holdings, Order, OrderBook, OrderResult, Position, Trade } from '@/lib/api/pending';
import type { components } from '@/lib/api/schema';
import { BOOK_KEYS } from '@/lib/realtime/order-events';
import { useSocketState } from '@/lib/realtime/socket';

type Schemas = components['schemas'];

/** Without the push channel, books refresh on a short timer instead. */
export function useBookRefetchInterval(): number | false {
  return useSocketState((s) => s.state) === 'connected' ? false : 3000;
}

export const ordersQuery = queryOptions({
  queryKey: ['orders'],
  queryFn: async () => unwrap((await api.GET('/web/trading/orders')).data as Envelope<OrderBook>),
});
export const tradesQuery = queryOptions({
  queryKey: ['trades'],
  queryFn: async () => unwrap((await api.GET('/web/trading/trades')).data as Envelope<Trade[]>),
});
export const positionsQuery = queryOptions({
  queryKey: ['positions'],
  queryFn: async () => unwrap((await api.GET('/web/trading/positions')).data as Envelope<Position[]>),
});
export const holdingsQuery = queryOptions({
  queryKey: ['holdings'],
  queryFn: async () => unwrap((await api.GET('/web/trading/holdings')).data as Envelope<Holdings>),
});

function useBookMutation<V>(fn: (vars: V) => Promise<OrderResult>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => Promise.all(BOOK_KEYS.map((key) => client.invalidateQueries({ queryKey: key }))),
  });
}

const result = (r: { data?: unknown }) => r.data as unknown as OrderResult;

export const useCancelOrder = () =>
  useBookMutation(async (orderid: string) =>
    result(await api.DELETE('/web/trading/orders/{orderid}', { params: { path: { orderid } } })),
  );
export const useCancelAll = () =>
  useBookMutation(async () => result(await api.POST('/web/trading/orders/cancel-all')));

/** The route takes the whole order again (OpenAlgo's modifyorder), with the new values. */
export const useModifyOrder = () =>
  useBookMutation(async (v: { order: Order; quantity: number; price: number; trigger_price: number }) => {
    const body: Schemas['PlaceOrderBody'] = {
      symbol: v.order.symbol,
      exchange: v.order.exchange as Schemas['Exchange'],
      action: v.order.action,
      pricetype: v.order.pricetype,
      product: v.order.product,
      quantity: v.quantity,
      price: v.price,
      trigger_price: v.trigger_price,
    };
    return result(
      await api.PUT('/web/trading/orders/{orderid}', {
        params: { path: { orderid: v.order.orderid } },
        body,
      }),
    );
  });
export const useClosePosition = () =>
  useBookMutation(async (body: Schemas['ClosePositionBody']) =>
    result(await api.POST('/web/trading/positions/close', { body })),
  );
export const useCloseAll = () =>
  useBookMutation(async () => result(await api.POST('/web/trading/positions/close-all')));
