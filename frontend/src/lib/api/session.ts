/** Who is signed in (shared by the shell, the auth pages and settings). */
import { queryOptions } from '@tanstack/react-query';
import { api } from './client';
import { unwrap } from './envelope';
import { isNotAvailable } from './errors';
import { setCsrfToken } from './http';
import type { Envelope, SessionInfo } from './pending';

export type SessionState = SessionInfo & { available: boolean };

/** While the accounts routes are missing the app runs as a signed-out preview. */
const PREVIEW: SessionState = {
  authenticated: false,
  setup_required: false,
  user: null,
  csrf_token: null,
  available: false,
};

export const sessionQuery = queryOptions({
  queryKey: ['session'],
  queryFn: async (): Promise<SessionState> => {
    try {
      const info = unwrap((await api.GET('/auth/session')).data as Envelope<SessionInfo>);
      setCsrfToken(info.csrf_token);
      return { ...info, available: true };
    } catch (error) {
      if (isNotAvailable(error)) return PREVIEW;
      throw error;
    }
  },
  staleTime: 60_000,
});
