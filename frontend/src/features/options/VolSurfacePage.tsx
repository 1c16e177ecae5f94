/** Vol surface: out-of-the-money IV on a strike × expiry grid, as a heat map. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Select } from '@/components/ui/input';
import { volSurfaceQuery } from './api';
import { HeatMap } from './HeatMap';
import { OptionsPage, QueryFrame, StrikeCountSelect, useSelection } from './OptionsPage';

export function VolSurfacePage() {
  const selection = useSelection();
  const [count, setCount] = useState(15);
  const [expiries, setExpiries] = useState(4);
  const query = useQuery(volSurfaceQuery(selection, expiries, count));
  return (
    <OptionsPage
      title="Vol surface"
      pickExpiry={false}
      controls={
        <>
          <StrikeCountSelect value={count} onChange={setCount} />
          <Select
            aria-label="Expiries"
            className="w-28"
            value={expiries}
            onChange={(e) => setExpiries(Number(e.target.value))}
          >
            {[2, 3, 4, 6, 8].map((n) => (
              <option key={n} value={n}>
                {n} expiries
              </option>
            ))}
          </Select>
        </>
      }
    >
      <QueryFrame query={query}>
        {(data) => (
          <HeatMap
            strikes={data.strikes}
            expiries={data.expiries}
            days={data.days_to_expiry}
            grid={data.iv}
            forward={data.underlying_ltp}
          />
        )}
      </QueryFrame>
    </OptionsPage>
  );
}
