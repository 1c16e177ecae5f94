/** Administration (admins only): users and IP bans. */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api/client';
import { unwrap } from '@/lib/api/envelope';
import type { AdminUserRow, Envelope, IpBan } from '@/lib/api/pending';
import type { components } from '@/lib/api/schema';

type Schemas = components['schemas'];

export const usersQuery = queryOptions({
  queryKey: ['admin', 'users'],
  queryFn: async () => unwrap((await api.GET('/web/admin/users')).data as Envelope<AdminUserRow[]>),
});

export const bansQuery = queryOptions({
  queryKey: ['admin', 'bans'],
  queryFn: async () => unwrap((await api.GET('/web/admin/ip-bans')).data as Envelope<IpBan[]>),
});

function useAdminMutation<V>(fn: (v: V) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSettled: () => client.invalidateQueries({ queryKey: ['admin'] }) });
}

export const useCreateUser = () =>
  useAdminMutation((body: Schemas['NewUserBody']) => api.POST('/web/admin/users', { body }));
export const useSetActive = () =>
  useAdminMutation((v: { id: number; active: boolean }) =>
    api.POST('/web/admin/users/{user_id}/active', {
      params: { path: { user_id: v.id } },
      body: { active: v.active },
    }),
  );
export const useBanIp = () =>
  useAdminMutation((body: Schemas['IpBanBody']) => api.POST('/web/admin/ip-bans', { body }));
export const useUnbanIp = () =>
  useAdminMutation((ip: string) => api.DELETE('/web/admin/ip-bans/{ip}', { params: { path: { ip } } }));
