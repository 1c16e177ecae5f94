import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { requestJson } from '@/lib/api/http';

export type PendingStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'failed';
export type StatusFilter = PendingStatus | 'all';

export interface PendingOrder {
  id: number;
  api_type: string;
  status: PendingStatus;
  strategy: string;
  symbol: string;
  exchange: string;
  action: string;
  quantity: string | number | null;
  order_data: Record<string, unknown>;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  reason: string | null;
  result: Record<string, unknown> | null;
}

export interface PendingList {
  orders: PendingOrder[];
  statistics: Record<`total_${PendingStatus}`, number>;
}

export interface DecisionResult {
  status: string;
  message: string;
  broker_order_id?: string;
  error?: unknown;
}

const BASE = '/web/action-center';

export const pendingOrdersQuery = (status: StatusFilter) =>
  queryOptions({
    queryKey: ['action-center', 'orders', status],
    queryFn: async () =>
      (await requestJson<{ data: PendingList }>('GET', `${BASE}/orders?status=${status}`)).data,
  });

export const pendingCountQuery = queryOptions({
  queryKey: ['action-center', 'count'],
  queryFn: async () => (await requestJson<{ count: number }>('GET', `${BASE}/count`)).count,
});

function useDecision<V>(fn: (v: V) => Promise<DecisionResult>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () =>
      Promise.all(
        [['action-center'], ['orders'], ['positions'], ['funds']].map((queryKey) =>
          client.invalidateQueries({ queryKey }),
        ),
      ),
  });
}

export const useApprove = () =>
  useDecision((id: number) => requestJson<DecisionResult>('POST', `${BASE}/orders/${id}/approve`));

export const useReject = () =>
  useDecision(({ id, reason }: { id: number; reason: string }) =>
    requestJson<DecisionResult>('POST', `${BASE}/orders/${id}/reject`, { reason }),
  );

export const useApproveAll = () =>
  useDecision(() => requestJson<DecisionResult>('POST', `${BASE}/approve-all`));

export const useRejectAll = () =>
  useDecision(() =>
    requestJson<DecisionResult>('POST', `${BASE}/reject-all`, { reason: 'Rejected in bulk' }),
  );

export const useOrderMode = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (mode: 'auto' | 'semi_auto') => requestJson('PUT', `${BASE}/mode`, { mode }),
    onSettled: () =>
      Promise.all([['analyzer'], ['status']].map((queryKey) => client.invalidateQueries({ queryKey }))),
  });
};
