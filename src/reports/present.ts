import { DateTime } from 'luxon';
import { fiveAs } from '../db/tables/feedback.ts';
import { categoryNames, type OfferCategory, offerCategories } from '../db/tables/publishing.ts';
import { barChart, CHART_COLOURS } from './charts.ts';
import { monthsOf, type ReportFilters } from './filters.ts';
import { emptyFunnelRow, type FunnelRow } from './queries.ts';

/** Figures as the page shows them. Nothing is computed here that SQL did not already count. */
export const format = {
  rate: (rate: number | null) => (rate === null ? 'Not applicable' : `${Math.round(rate * 100)}%`),
  average: (value: number | null) => (value === null ? 'No answers' : value.toFixed(1)),
  change: (value: number | null) => {
    if (value === null) return 'No answers';
    const rounded = Math.round(value * 10) / 10;
    return `${rounded > 0 ? '+' : rounded < 0 ? '−' : ''}${Math.abs(rounded).toFixed(1)}`;
  },
  month: (key: string) => DateTime.fromISO(`${key}-01`, { zone: 'Europe/London' }).toFormat('LLLL yyyy'),
  date: (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/London' }).toFormat('d LLLL yyyy'),
};

const fiveANames = { accessible: 'Accessible', appropriate: 'Appropriate', adequate: 'Adequate', affordable: 'Affordable', available: 'Available' } as const;
const fiveAColumn = {
  accessible: 'avgAccessible',
  appropriate: 'avgAppropriate',
  adequate: 'avgAdequate',
  affordable: 'avgAffordable',
  available: 'avgAvailable',
} as const;

const fiveAAnswers = {
  accessible: 'answersAccessible',
  appropriate: 'answersAppropriate',
  adequate: 'answersAdequate',
  affordable: 'answersAffordable',
  available: 'answersAvailable',
} as const;

export function fiveARows(row: FunnelRow) {
  return fiveAs.map((a) => ({ name: fiveANames[a], average: row[fiveAColumn[a]], answers: row[fiveAAnswers[a]] }));
}

export function funnelSteps(total: FunnelRow) {
  return [
    { label: 'Places offered', value: total.placesOffered ?? 0 },
    { label: 'Booked', value: total.booked },
    { label: 'Attended', value: total.attended },
    { label: 'Feedback given', value: total.feedbackCount },
    { label: 'Link workers who went on to refer', value: total.referrers, note: `of ${total.attendees} who attended` },
    { label: 'Referrals reported', value: total.referrals },
  ];
}

type Breakdown = { id: string; heading: string; firstColumn: string; rows: FunnelRow[]; withPlaces: boolean; chart: ReturnType<typeof barChart> };

function breakdown(id: string, heading: string, firstColumn: string, rows: FunnelRow[], withPlaces: boolean): Breakdown {
  const series = withPlaces
    ? [
        { name: 'Booked', colour: CHART_COLOURS[0] },
        { name: 'Attended', colour: CHART_COLOURS[1] },
      ]
    : [{ name: 'Attended', colour: CHART_COLOURS[0] }];
  return {
    id,
    heading,
    firstColumn,
    rows,
    withPlaces,
    chart: barChart({
      id: `chart-${id}`,
      title: `${withPlaces ? 'Places booked and attended' : 'Attended'} ${heading.toLowerCase()}`,
      series,
      rows: rows.map((row) => ({ label: row.label, values: withPlaces ? [row.booked, row.attended] : [row.attended] })),
    }),
  };
}

/** Everything the coordinator's report page shows, from the rows the queries returned. */
export function reportView(
  f: ReportFilters,
  data: {
    total: FunnelRow[];
    byMonth: FunnelRow[];
    byOrganisation: FunnelRow[];
    byCategory: FunnelRow[];
    byPcn: FunnelRow[];
    recorded: { referrals: number; linkWorkers: number };
    pcnsWithout: Array<{ pcn: string; linkWorkers: number }>;
    categoriesWith: OfferCategory[];
  },
) {
  const total = data.total[0] ?? emptyFunnelRow('all', 'All');
  // Every month of the period has a row, even one with no sessions: a gap is worth seeing.
  const months = monthsOf(f).map((month) => ({ ...(data.byMonth.find((r) => r.key === month) ?? emptyFunnelRow(month, month)), label: format.month(month) }));
  const categories = data.byCategory.map((row) => ({ ...row, label: categoryNames[row.key as OfferCategory] ?? row.label }));
  const steps = funnelSteps(total);
  const fiveA = fiveARows(total);
  const considered = f.category ? [f.category] : [...offerCategories];
  return {
    total,
    steps,
    funnelChart: barChart({
      id: 'chart-funnel',
      title: 'From places offered to referrals',
      series: [{ name: 'People or places', colour: CHART_COLOURS[0] }],
      rows: steps.map((s) => ({ label: s.label, values: [s.value] })),
    }),
    fiveA,
    fiveAChart: barChart({
      id: 'chart-five-as',
      title: 'The five As: average answer from 1 to 5',
      series: [{ name: 'Average', colour: CHART_COLOURS[0] }],
      rows: fiveA.map((a) => ({ label: a.name, values: [a.average] })),
      format: (v) => v.toFixed(1),
      max: 5,
    }),
    breakdowns: [
      breakdown('month', 'By month', 'Month', months, true),
      breakdown('organisation', 'By organisation', 'Organisation', data.byOrganisation, true),
      breakdown('category', 'By category', 'Category', categories, true),
      breakdown('pcn', 'By PCN', 'PCN', data.byPcn, false),
    ],
    recorded: { ...data.recorded, fromMonth: format.month(f.fromMonth.slice(0, 7)) },
    pcnsWithout: data.pcnsWithout,
    categoriesWithout: considered.filter((c) => !data.categoriesWith.includes(c)).map((c) => categoryNames[c]),
    period: { from: format.date(f.from), to: format.date(f.to) },
  };
}
