/**
 * Horizontal bar charts drawn on the server as SVG: no script, no library, nothing to load. Each
 * chart is an image with a title and a text description, and the page shows the same figures in
 * a table beside it — the chart is for looking, the table for reading.
 *
 * Horizontal bars suit a phone: labels sit above their bars at any width, and the SVG scales down
 * with its viewBox.
 */

export type ChartSeries = { name: string; colour: string };
export type ChartRow = { label: string; values: Array<number | null> };

export type BarChart = {
  id: string;
  title: string;
  description: string;
  width: number;
  height: number;
  series: ChartSeries[];
  /** The figures drawn, with their full labels: for the table beside the chart. */
  rows: ChartRow[];
  format: (value: number) => string;
  labels: Array<{ text: string; x: number; y: number }>;
  bars: Array<{ x: number; y: number; width: number; height: number; colour: string; value: string; valueX: number; valueY: number }>;
  legend: Array<{ x: number; y: number; colour: string; text: string }>;
  empty: boolean;
};

// NHS blue and NHS dark purple: both above 3:1 against white (WCAG 1.4.11), and told apart by
// lightness as well as hue.
export const CHART_COLOURS = ['#005eb8', '#330072'] as const;

// A narrow drawing: at 320px wide it shrinks little, so its 14-unit text stays readable.
const WIDTH = 400;
const MAX_LABEL = 48;
const LABEL_HEIGHT = 22;
const BAR_HEIGHT = 18;
const BAR_GAP = 4;
const ROW_GAP = 14;
const VALUE_SPACE = 56;
const LEGEND_HEIGHT = 28;

export function barChart(options: {
  id: string;
  title: string;
  series: ChartSeries[];
  rows: ChartRow[];
  format?: (value: number) => string;
  /** The value a full-width bar stands for; the largest value when not given. */
  max?: number;
}): BarChart {
  const format = options.format ?? ((value: number) => String(value));
  const figure = (value: number | null) => (value === null ? 'no data' : format(value));
  const values = options.rows.flatMap((row) => row.values).filter((v): v is number => v !== null);
  const max = options.max ?? Math.max(1, ...values);
  const hasLegend = options.series.length > 1;
  const top = hasLegend ? LEGEND_HEIGHT : 0;
  const rowHeight = LABEL_HEIGHT + options.series.length * (BAR_HEIGHT + BAR_GAP) + ROW_GAP;
  const scale = (WIDTH - VALUE_SPACE) / max;

  const labels: BarChart['labels'] = [];
  const bars: BarChart['bars'] = [];
  options.rows.forEach((row, r) => {
    const y = top + r * rowHeight;
    labels.push({ text: row.label.length > MAX_LABEL ? `${row.label.slice(0, MAX_LABEL - 1)}…` : row.label, x: 0, y: y + LABEL_HEIGHT - 6 });
    options.series.forEach((series, s) => {
      const value = row.values[s] ?? null;
      const barY = y + LABEL_HEIGHT + s * (BAR_HEIGHT + BAR_GAP);
      const width = value === null ? 0 : Math.max(value > 0 ? 2 : 0, Math.round(Math.max(0, value) * scale));
      bars.push({
        x: 0,
        y: barY,
        width,
        height: BAR_HEIGHT,
        colour: series.colour,
        value: figure(value),
        valueX: width + 6,
        valueY: barY + BAR_HEIGHT - 4,
      });
    });
  });

  const legend = hasLegend ? options.series.map((series, s) => ({ x: s * 160, y: 4, colour: series.colour, text: series.name })) : [];
  const description = options.rows.length
    ? options.rows
        .map((row) => `${row.label}: ${options.series.map((series, s) => `${series.name.toLowerCase()} ${figure(row.values[s] ?? null)}`).join(', ')}`)
        .join('; ')
    : 'No figures for this period.';

  return {
    id: options.id,
    title: options.title,
    description,
    width: WIDTH,
    height: Math.max(top + options.rows.length * rowHeight, 40),
    series: options.series,
    rows: options.rows,
    format,
    labels,
    bars,
    legend,
    empty: options.rows.length === 0,
  };
}
