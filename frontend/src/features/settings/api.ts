/** Password and two-factor routes of the accounts domain (typed request bodies from OpenAPI). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api/client';
import { unwrap } from '@/lib/api/envelope';
import { setCsrfToken } from '@/lib/api/http';
import type { Envelope, LoginResult } from '@/lib/api/pending';
import type { components } from '@/lib/api/schema';

type Schemas = components['schemas'];
export interface TotpEnrolment {
  secret: string;
  otpauth_uri: string;
}

export function useChangePassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas['ChangePasswordBody']) =>
      unwrap((await api.POST('/auth/password', { body })).data as Envelope<LoginResult>),
    onSuccess: async (result) => {
      setCsrfToken(result.csrf_token); // the server issued a fresh session
      await client.invalidateQueries({ queryKey: ['session'] });
    },
  });
}

export const useTotpSetup = () =>
  useMutation({
    mutationFn: async () => unwrap((await api.POST('/auth/totp/setup')).data as Envelope<TotpEnrolment>),
  });

export const useTotpEnable = () =>
  useMutation({ mutationFn: (code: string) => api.POST('/auth/totp/enable', { body: { code } }) });

export const useTotpDisable = () =>
  useMutation({ mutationFn: (code: string) => api.POST('/auth/totp/disable', { body: { code } }) });
