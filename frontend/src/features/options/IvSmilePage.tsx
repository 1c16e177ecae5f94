/** IV smile of one expiry: call, put and out-of-the-money IV by strike. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Stat } from '@/components/ui/stat';
import { formatNumber } from '@/lib/format';
import { smileQuery } from './api';
import { OptionsPage, QueryFrame, StrikeCountSelect, useSelection } from './OptionsPage';
import { CALL_COLOR, NET_COLOR, PUT_COLOR } from './StrikeBars';
import { StrikeLines } from './StrikeLines';

export function IvSmilePage() {
  const selection = useSelection();
  const [count, setCount] = useState(20);
  const query = useQuery(smileQuery(selection, count));
  return (
    <OptionsPage title="IV smile" controls={<StrikeCountSelect value={count} onChange={setCount} />}>
      <QueryFrame query={query}>
        {(data) => (
          <div className="space-y-3">
            <div className="grid grid-cols-2 gap-2 md:grid-cols-4">
              <Stat label="ATM IV" value={data.atm_iv == null ? '—' : `${formatNumber(data.atm_iv)}%`} />
              <Stat label="ATM strike" value={data.atm_strike} />
              <Stat label="Forward" value={formatNumber(data.forward_price)} />
              <Stat label="Days to expiry" value={formatNumber(data.days_to_expiry, 2)} />
            </div>
            <StrikeLines
              title="Implied volatility by strike"
              unit="%"
              strikes={data.data.map((r) => r.strike)}
              marker={{ strike: data.atm_strike, label: 'ATM' }}
              series={[
                { label: 'OTM IV', color: NET_COLOR, values: data.data.map((r) => r.iv) },
                {
                  label: 'Call IV',
                  color: CALL_COLOR,
                  values: data.data.map((r) => r.call_iv),
                  dashed: true,
                },
                { label: 'Put IV', color: PUT_COLOR, values: data.data.map((r) => r.put_iv), dashed: true },
              ]}
            />
          </div>
        )}
      </QueryFrame>
    </OptionsPage>
  );
}
