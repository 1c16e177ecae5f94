import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api/client';
import { unwrap } from '@/lib/api/envelope';
import type { BrokerInfo, BrokerSession, Envelope, TradingProfile } from '@/lib/api/pending';
import { BOOK_KEYS } from '@/lib/realtime/order-events';

export const brokersQuery = queryOptions({
  queryKey: ['broker', 'list'],
  queryFn: async () => unwrap((await api.GET('/web/trading/brokers')).data as Envelope<BrokerInfo[]>),
  staleTime: 5 * 60_000,
});

export const brokerProfileQuery = queryOptions({
  queryKey: ['broker', 'profile'],
  queryFn: async () => unwrap((await api.GET('/web/trading/profile')).data as Envelope<TradingProfile>),
});

export const brokerSessionQuery = queryOptions({
  queryKey: ['broker', 'session'],
  queryFn: async () => unwrap((await api.GET('/web/trading/broker-session')).data as Envelope<BrokerSession>),
  refetchInterval: 30_000,
});

/** Trade through another installed broker; books, funds and status follow it. */
export function useChooseBroker() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (broker: string) =>
      unwrap(
        (await api.PUT('/web/trading/broker', { body: { broker } })).data as Envelope<{ broker: string }>,
      ),
    onSettled: () =>
      Promise.all(
        [['broker'], ['status'], ['analyzer'], ['funds'], ...BOOK_KEYS].map((queryKey) =>
          client.invalidateQueries({ queryKey }),
        ),
      ),
  });
}

export interface BrokerField {
  name: string;
  label: string;
  secret: boolean;
  help: string;
  required: boolean;
  stored?: boolean;
}

export interface BrokerSetup {
  broker: string;
  display_name: string;
  auth_type: string;
  credential_fields: BrokerField[];
  login_fields: BrokerField[];
  redirect_url: string | null;
  state: string;
  expires_at: string | null;
  message: string;
}

export const brokerSetupQuery = (broker: string) =>
  queryOptions({
    queryKey: ['broker', 'setup', broker],
    queryFn: async () =>
      unwrap(
        (await api.GET('/web/broker/{broker}', { params: { path: { broker } } }))
          .data as Envelope<BrokerSetup>,
      ),
  });

function useBrokerMutation<T, V>(run: (values: V) => Promise<T>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSettled: () =>
      Promise.all(
        [['broker'], ['status'], ['funds'], ...BOOK_KEYS].map((queryKey) =>
          client.invalidateQueries({ queryKey }),
        ),
      ),
  });
}

/** Stored once, encrypted; empty values keep what is stored (secrets are never sent back). */
export function useSaveBrokerCredentials(broker: string) {
  return useBrokerMutation(async (values: Record<string, string>) =>
    unwrap(
      (
        await api.PUT('/web/broker/{broker}/credentials', {
          params: { path: { broker } },
          body: { values },
        })
      ).data as Envelope<BrokerSetup>,
    ),
  );
}

/** OAuth brokers answer with the URL to send the browser to; the others log in at once. */
export function useBrokerLogin(broker: string) {
  return useBrokerMutation(async (params: Record<string, string>) =>
    unwrap(
      (
        await api.POST('/web/broker/{broker}/login', {
          params: { path: { broker } },
          body: { params },
        })
      ).data as Envelope<{ redirect?: string; broker?: string; expires_at?: string }>,
    ),
  );
}

export function useBrokerLogout(broker: string) {
  return useBrokerMutation(async () =>
    unwrap(
      (await api.DELETE('/web/broker/{broker}/session', { params: { path: { broker } } })).data as Envelope<{
        revoked: boolean;
      }>,
    ),
  );
}
