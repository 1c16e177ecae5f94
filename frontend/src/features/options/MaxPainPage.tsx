/** Max pain: total intrinsic value paid to option buyers at each settlement strike. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Stat } from '@/components/ui/stat';
import { formatNumber } from '@/lib/format';
import { maxPainQuery } from './api';
import { OptionsPage, QueryFrame, StrikeCountSelect, useSelection } from './OptionsPage';
import { NET_COLOR, StrikeBars } from './StrikeBars';

export function MaxPainPage() {
  const selection = useSelection();
  const [count, setCount] = useState(20);
  const query = useQuery(maxPainQuery(selection, count));
  return (
    <OptionsPage title="Max pain" controls={<StrikeCountSelect value={count} onChange={setCount} />}>
      <QueryFrame query={query}>
        {(data) => (
          <div className="space-y-3">
            <div className="grid grid-cols-2 gap-2 md:grid-cols-3">
              <Stat label="Max pain" value={data.max_pain_strike} />
              <Stat label="ATM strike" value={data.atm_strike} />
              <Stat label="Underlying" value={formatNumber(data.underlying_ltp)} />
            </div>
            <StrikeBars
              title="Total pain by settlement strike"
              strikes={data.data.map((r) => r.strike)}
              marker={{ strike: data.max_pain_strike, label: 'Max pain' }}
              series={[
                { label: 'Total pain (₹)', color: NET_COLOR, values: data.data.map((r) => r.total_pain) },
              ]}
            />
          </div>
        )}
      </QueryFrame>
    </OptionsPage>
  );
}
