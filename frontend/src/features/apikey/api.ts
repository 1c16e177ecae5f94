import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api/client';
import { unwrap } from '@/lib/api/envelope';
import type { ApiKeyInfo, Envelope } from '@/lib/api/pending';

/** The key is fetched only while this page is open and never cached beyond it. */
export const apiKeyQuery = queryOptions({
  queryKey: ['apikey'],
  queryFn: async () => unwrap((await api.GET('/web/apikey')).data as Envelope<ApiKeyInfo>),
  gcTime: 0,
  staleTime: 0,
});

export function useRegenerateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap((await api.POST('/web/apikey')).data as Envelope<ApiKeyInfo>),
    onSuccess: (data) => client.setQueryData(apiKeyQuery.queryKey, data),
  });
}
