import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { toast } from '@/stores/toasts';
import { onServerEvents } from './socket';

/** Server events about the user's broker login (backend/domains/brokers/logins.py). */
export const BROKER_EVENTS = ['broker_session', 'broker_session_expired'] as const;

interface BrokerEvent {
  broker?: string;
  message?: string;
  state?: string;
}

/** Mounted once in the shell: a dead broker token is announced at once, on every open tab. */
export function useBrokerSessionEvents(): void {
  const client = useQueryClient();
  useEffect(
    () =>
      onServerEvents(BROKER_EVENTS, (event, payload) => {
        const data = (payload ?? {}) as BrokerEvent;
        if (event === 'broker_session_expired')
          toast.error(`${data.broker ?? 'Broker'}: ${data.message ?? 'session expired, log in again'}`);
        void client.invalidateQueries({ queryKey: ['broker'] });
        void client.invalidateQueries({ queryKey: ['status'] });
      }),
    [client],
  );
}
