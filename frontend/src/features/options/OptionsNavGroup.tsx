/** The "Options" group in the main navigation: collapsed to its heading unless open or in use. */
import { ChevronDown, ChevronRight, Sigma } from 'lucide-react';
import { useState } from 'react';
import { useLocation } from 'react-router';
import { NavItem } from '@/components/nav-item';
import { OPTIONS_NAV } from './nav';

export function OptionsNavGroup() {
  const { pathname } = useLocation();
  const inUse = OPTIONS_NAV.some((item) => item.to === pathname);
  const [open, setOpen] = useState(inUse);
  const shown = open || inUse;
  return (
    <li>
      <button
        type="button"
        aria-expanded={shown}
        title="Options"
        onClick={() => setOpen(!shown)}
        className="flex h-8 w-full items-center gap-2 rounded-md px-2 text-sm text-muted-foreground hover:bg-accent hover:text-foreground"
      >
        <Sigma className="size-4 shrink-0" />
        <span className="flex-1 text-left max-lg:hidden">Options</span>
        {shown ? (
          <ChevronDown className="size-3.5 max-lg:hidden" />
        ) : (
          <ChevronRight className="size-3.5 max-lg:hidden" />
        )}
      </button>
      {shown ? (
        <ul aria-label="Options" className="space-y-0.5 lg:pl-3">
          {OPTIONS_NAV.map((item) => (
            <NavItem key={item.to} {...item} compact />
          ))}
        </ul>
      ) : null}
    </li>
  );
}
