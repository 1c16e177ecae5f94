/** Gamma exposure by strike: call GEX up, put GEX down, net GEX, and the top levels. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Stat } from '@/components/ui/stat';
import { formatCompact } from '@/lib/format';
import { gexQuery } from './api';
import { OptionsPage, QueryFrame, StrikeCountSelect, useSelection } from './OptionsPage';
import { CALL_COLOR, NET_COLOR, PUT_COLOR, StrikeBars } from './StrikeBars';
import { topStrikes } from './transforms';

export function GexPage() {
  const selection = useSelection();
  const [count, setCount] = useState(20);
  const query = useQuery(gexQuery(selection, count));
  return (
    <OptionsPage title="GEX" controls={<StrikeCountSelect value={count} onChange={setCount} />}>
      <QueryFrame query={query}>
        {(data) => {
          const strikes = data.data.map((r) => r.strike);
          const net = data.data.map((r) => r.net_gex);
          return (
            <div className="space-y-3">
              <div className="grid grid-cols-2 gap-2 md:grid-cols-5">
                <Stat label="Net GEX" value={formatCompact(data.net_gex, { rupee: true })} />
                <Stat label="Call GEX" value={formatCompact(data.total_call_gex, { rupee: true })} />
                <Stat label="Put GEX" value={formatCompact(data.total_put_gex, { rupee: true })} />
                <Stat label="Top net GEX" value={topStrikes(strikes, net, 3).join(', ') || '—'} />
                <Stat label="Forward" value={data.forward_price.toFixed(2)} />
              </div>
              <StrikeBars
                title="Gamma exposure by strike"
                strikes={strikes}
                marker={{ strike: data.atm_strike, label: 'ATM' }}
                series={[
                  { label: 'Call GEX', color: CALL_COLOR, values: data.data.map((r) => r.call_gex) },
                  { label: 'Put GEX', color: PUT_COLOR, values: data.data.map((r) => r.put_gex) },
                  { label: 'Net GEX', color: NET_COLOR, values: net },
                ]}
              />
              <p className="text-xs text-muted-foreground">
                Γ × OI × F² × 1 % in rupees per 1 % move; calls positive, puts negative (dealers long calls,
                short puts).
              </p>
            </div>
          );
        }}
      </QueryFrame>
    </OptionsPage>
  );
}
