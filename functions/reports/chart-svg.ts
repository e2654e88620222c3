import {
  BarChart,
  type BarSeriesOption,
  CustomChart,
  type CustomSeriesOption,
  LineChart,
  type LineSeriesOption,
} from 'echarts/charts';
import {
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  MarkLineComponent,
  type MarkLineComponentOption,
} from 'echarts/components';
import { type ComposeOption, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { Channel } from '../campaign/definition';
import type { Lift } from '../campaign/lift';

use([BarChart, CustomChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, SVGRenderer]);

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | CustomSeriesOption
  | LineSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | MarkLineComponentOption
>;

/** One colour per channel in every chart, so push is the same blue in the funnel and in the conversions. */
export const channelColours: Record<Channel, string> = {
  push: '#4e79a7',
  sms: '#59a14f',
  email: '#f28e2b',
  call: '#b07aa1',
};

/**
 * The chart drawn once, on the server, as an SVG string to embed in the page (ECharts escapes the texts it
 * draws). Without `animation: false` the SVG holds the first frame of the entry animation: empty bars.
 */
export const chartSvg = (option: ChartOption, size: { width: number; height: number }): string => {
  const chart = init(null, null, { renderer: 'svg', ssr: true, ...size });
  try {
    chart.setOption({ textStyle: { fontFamily: 'system-ui, sans-serif' }, ...option, animation: false });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
};

/** One line of an interval chart: a lift, drawn as its 95% interval with a dot at the estimate. */
export interface IntervalRow {
  label: string;
  lift: Lift;
  colour: string;
}

const TOO_SMALL_COLOUR = '#a0a0a0';

/**
 * Lifts side by side, one line each from `low` to `high` with a dot at `points`, and the zero line: a lift
 * whose interval crosses zero cannot be told from no lift. Too-small-to-tell lifts are drawn grey.
 */
export const intervalChartSvg = (rows: readonly IntervalRow[], width: number): string => {
  // Symmetric around zero, to the next 5 points, so ticks fall on round numbers.
  const extent =
    5 * Math.ceil(Math.max(1, ...rows.flatMap(({ lift }) => [Math.abs(lift.low), Math.abs(lift.high)])) / 5);
  // Room for the labels, from their length: drawn without a browser, ECharts can only guess their width.
  const labelWidth = Math.min(width / 2, 7 * Math.max(...rows.map((row) => row.label.length)));
  return chartSvg(
    {
      grid: { left: 16 + labelWidth, right: 24, top: 12, bottom: 40, outerBoundsMode: 'none' },
      xAxis: {
        type: 'value',
        min: -extent,
        max: extent,
        name: 'points',
        nameLocation: 'middle',
        nameGap: 24,
      },
      // Listed top to bottom, as in the table beside the chart.
      yAxis: { type: 'category', inverse: true, data: rows.map((row) => row.label) },
      series: [
        {
          type: 'custom',
          encode: { x: [1, 2, 3], y: 0 },
          data: rows.map(({ lift, colour }, index) => ({
            value: [index, lift.low, lift.high, lift.points],
            itemStyle: { color: lift.tooSmallToTell ? TOO_SMALL_COLOUR : colour },
          })),
          renderItem: (_params, api) => {
            const row = api.value(0);
            const [lowX = 0, y = 0] = api.coord([api.value(1), row]);
            const [highX = 0] = api.coord([api.value(2), row]);
            const [pointX = 0] = api.coord([api.value(3), row]);
            const colour = api.visual('color');
            const cap = 6;
            const stroke = { stroke: colour, lineWidth: 2 };
            return {
              type: 'group',
              children: [
                { type: 'line', shape: { x1: lowX, y1: y, x2: highX, y2: y }, style: stroke },
                { type: 'line', shape: { x1: lowX, y1: y - cap, x2: lowX, y2: y + cap }, style: stroke },
                { type: 'line', shape: { x1: highX, y1: y - cap, x2: highX, y2: y + cap }, style: stroke },
                { type: 'circle', shape: { cx: pointX, cy: y, r: 5 }, style: { fill: colour } },
              ],
            };
          },
          markLine: {
            silent: true,
            symbol: 'none',
            label: { show: false },
            lineStyle: { color: '#333', type: 'dashed' },
            data: [{ xAxis: 0 }],
          },
        },
      ],
    },
    { width, height: 56 + 36 * rows.length },
  );
};
