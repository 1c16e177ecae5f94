import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { requestJson } from '@/lib/api/http';

export interface TelegramStatus {
  enabled: boolean;
  bot_username: string | null;
  linked: boolean;
  telegram_username: string | null;
  alerts_enabled: boolean;
}

export interface LinkCode {
  code: string;
  command: string;
  deep_link: string | null;
}

export const telegramQuery = queryOptions({
  queryKey: ['telegram'],
  queryFn: async () => (await requestJson<{ data: TelegramStatus }>('GET', '/web/telegram')).data,
});

export const useLinkCode = () =>
  useMutation({
    mutationFn: async () => (await requestJson<{ data: LinkCode }>('POST', '/web/telegram/link')).data,
  });

export const useTelegramChange = () => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (change: { unlink: true } | { alerts_enabled: boolean }) =>
      'unlink' in change
        ? requestJson('DELETE', '/web/telegram/link')
        : requestJson('PUT', '/web/telegram/preferences', change),
    onSettled: () => client.invalidateQueries({ queryKey: ['telegram'] }),
  });
};
