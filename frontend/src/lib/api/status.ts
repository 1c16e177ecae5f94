import { queryOptions } from '@tanstack/react-query';
import { unwrap } from './envelope';
import { requestJson } from './http';
import type { Envelope, Status } from './pending';

/** Broker connection, market state and analyzer mode, shown in the top bar and on the dashboard. */
export const statusQuery = queryOptions({
  queryKey: ['status'],
  queryFn: async () => unwrap(await requestJson<Envelope<Status>>('GET', '/web/status')),
  refetchInterval: 30_000,
});
