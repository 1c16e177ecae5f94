/** OI profile: CE vs PE open interest and volume by strike, with put-call ratios. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Stat } from '@/components/ui/stat';
import { formatCompact, formatNumber } from '@/lib/format';
import { oiProfileQuery } from './api';
import { OptionsPage, QueryFrame, StrikeCountSelect, useSelection } from './OptionsPage';
import { CALL_COLOR, PUT_COLOR, StrikeBars } from './StrikeBars';

export function OiProfilePage() {
  const selection = useSelection();
  const [count, setCount] = useState(20);
  const query = useQuery(oiProfileQuery(selection, count));
  return (
    <OptionsPage title="OI profile" controls={<StrikeCountSelect value={count} onChange={setCount} />}>
      <QueryFrame query={query}>
        {(data) => {
          const strikes = data.data.map((r) => r.strike);
          const marker = { strike: data.atm_strike, label: 'ATM' };
          return (
            <div className="space-y-3">
              <div className="grid grid-cols-2 gap-2 md:grid-cols-4">
                <Stat label="Total CE OI" value={formatCompact(data.total_ce_oi)} />
                <Stat label="Total PE OI" value={formatCompact(data.total_pe_oi)} />
                <Stat label="PCR (OI)" value={formatNumber(data.pcr_oi, 2)} />
                <Stat label="PCR (volume)" value={formatNumber(data.pcr_volume, 2)} />
              </div>
              <StrikeBars
                title="Open interest by strike"
                strikes={strikes}
                marker={marker}
                series={[
                  { label: 'CE OI', color: CALL_COLOR, values: data.data.map((r) => r.ce_oi) },
                  { label: 'PE OI', color: PUT_COLOR, values: data.data.map((r) => r.pe_oi) },
                ]}
              />
              <StrikeBars
                title="Volume by strike"
                height={200}
                strikes={strikes}
                marker={marker}
                series={[
                  { label: 'CE volume', color: CALL_COLOR, values: data.data.map((r) => r.ce_volume) },
                  { label: 'PE volume', color: PUT_COLOR, values: data.data.map((r) => r.pe_volume) },
                ]}
              />
            </div>
          );
        }}
      </QueryFrame>
    </OptionsPage>
  );
}
