/** OI tracker: CE vs PE OI by strike now, the change since the previous session, and PCR by day. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Select } from '@/components/ui/input';
import { Stat } from '@/components/ui/stat';
import { formatCompact, formatNumber, pnlClass } from '@/lib/format';
import { oiTrackerQuery } from './api';
import { OptionsPage, QueryFrame, StrikeCountSelect, useSelection } from './OptionsPage';
import { CALL_COLOR, PUT_COLOR, StrikeBars } from './StrikeBars';

export function OiTrackerPage() {
  const selection = useSelection();
  const [count, setCount] = useState(15);
  const [days, setDays] = useState(5);
  const query = useQuery(oiTrackerQuery(selection, count, days));
  return (
    <OptionsPage
      title="OI tracker"
      controls={
        <>
          <StrikeCountSelect value={count} onChange={setCount} />
          <Select
            aria-label="Sessions"
            className="w-28"
            value={days}
            onChange={(e) => setDays(Number(e.target.value))}
          >
            {[2, 5, 10, 20].map((n) => (
              <option key={n} value={n}>
                {n} sessions
              </option>
            ))}
          </Select>
        </>
      }
    >
      <QueryFrame query={query}>
        {(data) => {
          const strikes = data.data.map((r) => r.strike);
          const marker = { strike: data.atm_strike, label: 'ATM' };
          return (
            <div className="space-y-3">
              <div className="grid grid-cols-2 gap-2 md:grid-cols-5">
                <Stat label="Total CE OI" value={formatCompact(data.total_ce_oi)} />
                <Stat label="Total PE OI" value={formatCompact(data.total_pe_oi)} />
                <Stat
                  label="CE OI change"
                  value={formatCompact(data.total_ce_oi_change)}
                  className={pnlClass(data.total_ce_oi_change)}
                />
                <Stat
                  label="PE OI change"
                  value={formatCompact(data.total_pe_oi_change)}
                  className={pnlClass(data.total_pe_oi_change)}
                />
                <Stat label="PCR (OI)" value={formatNumber(data.pcr_oi, 2)} />
              </div>
              <StrikeBars
                title="Open interest by strike, CE vs PE"
                strikes={strikes}
                marker={marker}
                series={[
                  { label: 'CE OI', color: CALL_COLOR, values: data.data.map((r) => r.ce_oi) },
                  { label: 'PE OI', color: PUT_COLOR, values: data.data.map((r) => r.pe_oi) },
                ]}
              />
              <StrikeBars
                title="Change in OI since the previous session"
                height={220}
                strikes={strikes}
                marker={marker}
                series={[
                  {
                    label: 'CE OI change',
                    color: CALL_COLOR,
                    values: data.data.map((r) => r.ce_oi_change ?? null),
                  },
                  {
                    label: 'PE OI change',
                    color: PUT_COLOR,
                    values: data.data.map((r) => r.pe_oi_change ?? null),
                  },
                ]}
              />
              <table className="text-xs" aria-label="Put-call ratio by session">
                <tbody>
                  <tr>
                    <th className="pr-3 text-left font-medium text-muted-foreground">Session</th>
                    {data.dates.map((d) => (
                      <td key={d} className="num px-2">
                        {d}
                      </td>
                    ))}
                  </tr>
                  <tr>
                    <th className="pr-3 text-left font-medium text-muted-foreground">PCR (OI)</th>
                    {data.pcr_history.map((v, i) => (
                      <td key={data.dates[i]} className="num px-2">
                        {formatNumber(v, 2)}
                      </td>
                    ))}
                  </tr>
                </tbody>
              </table>
            </div>
          );
        }}
      </QueryFrame>
    </OptionsPage>
  );
}
