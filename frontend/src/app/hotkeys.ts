import { useEffect } from 'react';
import { useTicket } from '@/stores/ticket';

/** True when the key press belongs to a form field (typing "b" in a search box must not open a ticket). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Broker-terminal shortcuts: B opens a BUY ticket, S a SELL ticket (Esc closes: the dialog handles it). */
export function useTradingHotkeys(): void {
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.repeat || isTypingTarget(event.target))
        return;
      const { open, openTicket, prefill } = useTicket.getState();
      if (open) return;
      const key = event.key.toLowerCase();
      if (key === 'b' || key === 's') {
        event.preventDefault();
        openTicket({ ...prefill, action: key === 'b' ? 'BUY' : 'SELL' });
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
