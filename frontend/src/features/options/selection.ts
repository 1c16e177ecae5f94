/** The underlying and expiry the options pages look at, shared so switching pages keeps them. */
import { create } from 'zustand';
import type { Selection } from './api';

/** Underlyings offered in the picker (any other can be typed in). */
export const UNDERLYINGS: { underlying: string; exchange: string }[] = [
  { underlying: 'NIFTY', exchange: 'NSE_INDEX' },
  { underlying: 'BANKNIFTY', exchange: 'NSE_INDEX' },
  { underlying: 'FINNIFTY', exchange: 'NSE_INDEX' },
  { underlying: 'SENSEX', exchange: 'BSE_INDEX' },
  { underlying: 'RELIANCE', exchange: 'NSE' },
  { underlying: 'CRUDEOIL', exchange: 'MCX' },
];

interface SelectionState extends Selection {
  choose: (next: Partial<Selection>) => void;
}

export const useOptionsSelection = create<SelectionState>((set) => ({
  underlying: 'NIFTY',
  exchange: 'NSE_INDEX',
  expiry: null,
  choose: (next) =>
    set((prev) => {
      const moved = (next.underlying ?? prev.underlying) !== prev.underlying;
      // A new underlying has its own expiries: fall back to its nearest one.
      return { ...prev, ...next, expiry: moved ? (next.expiry ?? null) : (next.expiry ?? prev.expiry) };
    }),
}));
