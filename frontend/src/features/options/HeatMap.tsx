/** The vol surface as a heat map: expiries down, strikes across, each cell coloured by its IV. */
import { formatNumber } from '@/lib/format';
import { atmIndex, extent, heatColor } from './transforms';

export function HeatMap({
  strikes,
  expiries,
  days,
  grid,
  forward,
}: {
  strikes: readonly number[];
  expiries: readonly string[];
  days: readonly number[];
  grid: readonly (readonly (number | null)[])[];
  forward?: number | null;
}) {
  const range = extent(grid.flat()) ?? [0, 1];
  const near = forward == null ? -1 : atmIndex(strikes, forward);
  return (
    <figure className="space-y-2">
      <div className="overflow-x-auto">
        <table
          className="border-separate border-spacing-0.5 text-[10px]"
          aria-label="Implied volatility by strike and expiry"
        >
          <thead>
            <tr>
              <th className="px-1 text-left font-medium text-muted-foreground">Expiry \ Strike</th>
              {strikes.map((s, i) => (
                <th
                  key={s}
                  scope="col"
                  className={`num px-0.5 font-normal text-muted-foreground ${i === near ? 'font-bold text-foreground' : ''}`}
                >
                  {s}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {grid.map((row, r) => (
              <tr key={expiries[r]}>
                <th scope="row" className="whitespace-nowrap px-1 text-left font-medium">
                  {expiries[r]} <span className="text-muted-foreground">({formatNumber(days[r], 1)}d)</span>
                </th>
                {row.map((v, c) => {
                  const color = heatColor(v, range[0], range[1]);
                  return (
                    <td
                      key={strikes[c]}
                      data-iv={v ?? ''}
                      title={`${expiries[r]} ${strikes[c]}: ${v == null ? 'no IV' : `${v}%`}`}
                      className="num h-7 min-w-9 rounded-sm text-center text-white"
                      style={color ? { background: color } : undefined}
                    >
                      {v == null ? '' : formatNumber(v, 1)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <figcaption className="flex items-center gap-2 text-xs text-muted-foreground">
        <span>{formatNumber(range[0], 1)}%</span>
        <span
          className="h-2.5 w-40 rounded-sm"
          style={{
            background: `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map((t) => heatColor(range[0] + t * (range[1] - range[0]), range[0], range[1])).join(',')})`,
          }}
        />
        <span>{formatNumber(range[1], 1)}%</span>
      </figcaption>
    </figure>
  );
}
