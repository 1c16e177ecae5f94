import { queryOptions } from '@tanstack/react-query';
import { unwrap } from '@/lib/api/envelope';
import { requestJson } from '@/lib/api/http';
import type { Envelope, Funds } from '@/lib/api/pending';

export const fundsQuery = queryOptions({
  queryKey: ['funds'],
  queryFn: async () => unwrap(await requestJson<Envelope<Funds>>('GET', '/web/funds')),
});
