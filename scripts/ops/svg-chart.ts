// The soak and chaos reports draw with the same SVG code as the bench's report.
export {
  type ChartOptions,
  escapeXml,
  lineChart,
  type Marker,
  niceStep,
  type Series,
} from '../../bench/report/svg.js';
