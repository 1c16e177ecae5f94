import { ArrowDown, ArrowUp, ArrowUpDown } from 'lucide-react';
import { type ReactNode, useMemo, useState } from 'react';
import { cn } from '@/lib/cn';

export interface Column<T> {
  id: string;
  header: string;
  cell: (row: T) => ReactNode;
  /** Present when the column can be sorted. */
  sortValue?: (row: T) => string | number | null | undefined;
  numeric?: boolean;
  className?: string;
}

export type SortState = { id: string; dir: 'asc' | 'desc' } | null;

export function sortRows<T>(rows: readonly T[], columns: readonly Column<T>[], sort: SortState): T[] {
  const column = sort ? columns.find((c) => c.id === sort.id) : undefined;
  if (!sort || !column?.sortValue) return [...rows];
  const get = column.sortValue;
  const factor = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = get(a);
    const y = get(b);
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * factor;
    return String(x).localeCompare(String(y), 'en', { numeric: true }) * factor;
  });
}

interface DataTableProps<T> {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  initialSort?: SortState;
  label: string;
  rowClassName?: (row: T) => string | undefined;
}

/** Dense, sortable table; numbers are right-aligned in tabular figures so ticking never shifts layout. */
export function DataTable<T>({
  rows,
  columns,
  rowKey,
  initialSort = null,
  label,
  rowClassName,
}: DataTableProps<T>) {
  const [sort, setSort] = useState<SortState>(initialSort);
  const sorted = useMemo(() => sortRows(rows, columns, sort), [rows, columns, sort]);

  function toggle(id: string) {
    setSort((current) =>
      current?.id !== id ? { id, dir: 'asc' } : current.dir === 'asc' ? { id, dir: 'desc' } : null,
    );
  }

  return (
    <div className="overflow-x-auto">
      <table className="w-full border-collapse text-xs" aria-label={label}>
        <thead className="sticky top-0 bg-card">
          <tr className="border-b">
            {columns.map((column) => {
              const active = sort?.id === column.id ? sort.dir : null;
              return (
                <th
                  key={column.id}
                  scope="col"
                  aria-sort={active === 'asc' ? 'ascending' : active === 'desc' ? 'descending' : undefined}
                  className={cn(
                    'h-8 px-2 font-medium text-muted-foreground whitespace-nowrap',
                    column.numeric ? 'text-right' : 'text-left',
                  )}
                >
                  {column.sortValue ? (
                    <button
                      type="button"
                      className={cn(
                        'inline-flex items-center gap-1 hover:text-foreground',
                        column.numeric && 'flex-row-reverse',
                      )}
                      onClick={() => toggle(column.id)}
                    >
                      {column.header}
                      {active === 'asc' ? (
                        <ArrowUp className="size-3" />
                      ) : active === 'desc' ? (
                        <ArrowDown className="size-3" />
                      ) : (
                        <ArrowUpDown className="size-3 opacity-40" />
                      )}
                    </button>
                  ) : (
                    column.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr
              key={rowKey(row)}
              className={cn('h-8 border-b border-border/60 hover:bg-accent/50', rowClassName?.(row))}
            >
              {columns.map((column) => (
                <td key={column.id} className={cn('px-2', column.numeric && 'num', column.className)}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
