import { toCsv } from './csv';

describe('toCsv', () => {
  it('quotes cells that need it and ends lines with CRLF', () => {
    const rows = [
      { symbol: 'RELIANCE', note: 'plain', pnl: -10.44 },
      { symbol: 'M&M', note: 'has, comma and "quotes"', pnl: null },
    ];
    const csv = toCsv(rows, [
      { header: 'Symbol', value: (r) => r.symbol },
      { header: 'Note', value: (r) => r.note },
      { header: 'P&L', value: (r) => r.pnl },
    ]);
    expect(csv).toBe('Symbol,Note,P&L\r\nRELIANCE,plain,-10.44\r\nM&M,"has, comma and ""quotes""",\r\n');
  });
});
