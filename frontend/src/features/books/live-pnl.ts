import type { Position } from '@/lib/api/pending';
import { toNumber } from '@/lib/format';
import type { Tick } from '@/stores/ticks';

/** Shift the server's P&L by the move since its LTP: exact for open quantity, keeps realised P&L. */
export function livePnl(position: Position, tick: Tick | undefined): { ltp: number; pnl: number } {
  const serverLtp = toNumber(position.ltp) ?? 0;
  const serverPnl = toNumber(position.pnl) ?? 0;
  if (!tick || position.quantity === 0) return { ltp: serverLtp, pnl: serverPnl };
  return { ltp: tick.ltp, pnl: serverPnl + (tick.ltp - serverLtp) * position.quantity };
}
