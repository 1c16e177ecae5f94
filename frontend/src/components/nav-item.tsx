import type { LucideIcon } from 'lucide-react';
import { NavLink } from 'react-router';
import { cn } from '@/lib/cn';

/** One sidebar link: icon always, label from the `lg` breakpoint up; `compact` for nested groups. */
export function NavItem({
  to,
  label,
  icon: Icon,
  compact = false,
}: {
  to: string;
  label: string;
  icon: LucideIcon;
  compact?: boolean;
}) {
  return (
    <li>
      <NavLink
        to={to}
        title={label}
        className={({ isActive }) =>
          cn(
            'flex items-center gap-2 rounded-md px-2 text-sm text-muted-foreground hover:bg-accent hover:text-foreground',
            compact ? 'h-7' : 'h-8',
            isActive && 'bg-accent font-medium text-foreground',
          )
        }
      >
        <Icon className="size-4 shrink-0" />
        <span className="max-lg:hidden">{label}</span>
      </NavLink>
    </li>
  );
}
