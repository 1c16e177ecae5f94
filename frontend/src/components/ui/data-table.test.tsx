// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { type Column, DataTable, sortRows } from './data-table';

interface Row {
  symbol: string;
  pnl: number | null;
}
const columns: Column<Row>[] = [
  { id: 'symbol', header: 'Symbol', cell: (r) => r.symbol, sortValue: (r) => r.symbol },
  { id: 'pnl', header: 'P&L', cell: (r) => String(r.pnl), sortValue: (r) => r.pnl, numeric: true },
];
const rows: Row[] = [
  { symbol: 'SBIN', pnl: 10 },
  { symbol: 'INFY', pnl: null },
  { symbol: 'TCS', pnl: -5 },
];

describe('sortRows', () => {
  it('sorts numbers and strings, nulls last either way', () => {
    expect(sortRows(rows, columns, { id: 'pnl', dir: 'asc' }).map((r) => r.symbol)).toEqual([
      'TCS',
      'SBIN',
      'INFY',
    ]);
    expect(sortRows(rows, columns, { id: 'pnl', dir: 'desc' }).map((r) => r.symbol)).toEqual([
      'SBIN',
      'TCS',
      'INFY',
    ]);
    expect(sortRows(rows, columns, { id: 'symbol', dir: 'asc' }).map((r) => r.symbol)).toEqual([
      'INFY',
      'SBIN',
      'TCS',
    ]);
    expect(sortRows(rows, columns, null).map((r) => r.symbol)).toEqual(['SBIN', 'INFY', 'TCS']);
  });
});

describe('DataTable', () => {
  it('cycles a column through ascending, descending and unsorted', async () => {
    render(<DataTable label="test" rows={rows} columns={columns} rowKey={(r) => r.symbol} />);
    const header = screen.getByRole('columnheader', { name: /Symbol/ });
    const firstCell = () =>
      within(screen.getAllByRole('row')[1] as HTMLElement).getAllByRole('cell')[0]?.textContent;
    await userEvent.click(within(header).getByRole('button'));
    expect(header).toHaveAttribute('aria-sort', 'ascending');
    expect(firstCell()).toBe('INFY');
    await userEvent.click(within(header).getByRole('button'));
    expect(header).toHaveAttribute('aria-sort', 'descending');
    expect(firstCell()).toBe('TCS');
    await userEvent.click(within(header).getByRole('button'));
    expect(header).not.toHaveAttribute('aria-sort');
    expect(firstCell()).toBe('SBIN');
  });
});
