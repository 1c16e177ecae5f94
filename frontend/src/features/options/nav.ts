/** The "Options" group of the main navigation. */
import {
  Activity,
  BarChart3,
  ChartSpline,
  Grid3x3,
  Layers,
  LineChart,
  Sigma,
  Table2,
  Target,
} from 'lucide-react';
import { type AppPath, paths } from '@/app/paths';

export const OPTIONS_NAV: { to: AppPath; label: string; icon: typeof Table2 }[] = [
  { to: paths.optionChain, label: 'Option chain', icon: Table2 },
  { to: paths.straddle, label: 'Straddle', icon: LineChart },
  { to: paths.ivChart, label: 'IV chart', icon: Activity },
  { to: paths.ivSmile, label: 'IV smile', icon: ChartSpline },
  { to: paths.gex, label: 'GEX', icon: Sigma },
  { to: paths.oiTracker, label: 'OI tracker', icon: BarChart3 },
  { to: paths.oiProfile, label: 'OI profile', icon: Layers },
  { to: paths.maxPain, label: 'Max pain', icon: Target },
  { to: paths.volSurface, label: 'Vol surface', icon: Grid3x3 },
];
