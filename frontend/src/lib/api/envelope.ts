import type { Envelope } from './pending';

/** Web routes answer with OpenAlgo's envelope; views want the `data` inside. */
export function unwrap<T>(body: Envelope<T> | T): T {
  if (body && typeof body === 'object' && 'status' in body && 'data' in body)
    return (body as Envelope<T>).data;
  return body as T;
}
