import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { onServerEvents } from '@/lib/realtime/socket';

/** Server events of the Action Center (realtime reference §5). */
export const ACTION_CENTER_EVENTS = ['pending_order_created', 'pending_order_updated'] as const;

/** Refetch the queue whenever an order is queued or decided (in this tab or elsewhere). */
export function useActionCenterLive(): void {
  const client = useQueryClient();
  useEffect(
    () =>
      onServerEvents(ACTION_CENTER_EVENTS, () => {
        void client.invalidateQueries({ queryKey: ['action-center'] });
      }),
    [client],
  );
}
