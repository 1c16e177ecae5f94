/** Session routes of the accounts domain (cookie + CSRF), through the generated client. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api/client';
import { unwrap } from '@/lib/api/envelope';
import { setCsrfToken } from '@/lib/api/http';
import type { Envelope, LoginResult } from '@/lib/api/pending';
import type { components } from '@/lib/api/schema';
import { closeSocket } from '@/lib/realtime/socket';

export { sessionQuery } from '@/lib/api/session';

type Schemas = components['schemas'];
export type Credentials = Schemas['LoginBody'];

export function useSetup() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['SetupBody']) => api.POST('/auth/setup', { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['session'] }),
  });
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Credentials) =>
      unwrap((await api.POST('/auth/login', { body })).data as Envelope<LoginResult>),
    onSuccess: async (result) => {
      setCsrfToken(result.csrf_token);
      closeSocket(); // a socket refused before sign-in does not retry by itself
      if (!result.totp_required) await client.invalidateQueries({ queryKey: ['session'] });
    },
  });
}

export function useLoginTotp() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (code: string) =>
      unwrap((await api.POST('/auth/login/totp', { body: { code } })).data as Envelope<LoginResult>),
    onSuccess: async (result) => {
      setCsrfToken(result.csrf_token);
      closeSocket();
      await client.invalidateQueries({ queryKey: ['session'] });
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.POST('/auth/logout'),
    onSettled: () => {
      setCsrfToken(null);
      closeSocket();
      client.clear();
    },
  });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: (body: Schemas['ResetPasswordBody']) => api.POST('/auth/reset-password', { body }),
  });
}
