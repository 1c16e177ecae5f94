import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api/client';
import type { OrderRequest, OrderResult } from '@/lib/api/pending';
import { BOOK_KEYS } from '@/lib/realtime/order-events';

export function usePlaceOrder() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (order: OrderRequest) =>
      (await api.POST('/web/trading/orders', { body: { ...order, strategy: 'web' } }))
        .data as unknown as OrderResult,
    onSettled: () => Promise.all(BOOK_KEYS.map((key) => client.invalidateQueries({ queryKey: key }))),
  });
}
