import { useMutation, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '@/lib/api/envelope';
import { requestJson } from '@/lib/api/http';
import type { Envelope, OrderRequest } from '@/lib/api/pending';
import { BOOK_KEYS } from '@/lib/realtime/order-events';

export function usePlaceOrder() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (order: OrderRequest) =>
      unwrap(await requestJson<Envelope<{ orderid: string }>>('POST', '/web/orders', order)),
    onSettled: () => Promise.all(BOOK_KEYS.map((key) => client.invalidateQueries({ queryKey: key }))),
  });
}
