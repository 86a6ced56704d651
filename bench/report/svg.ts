// Charts as SVG text, written by hand so the reports need no browser and no plotting
// package: line charts (the soak and chaos reports, and time series of the bench) and
// horizontal bar charts (the bench's sections), with round ticks and a legend.

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

export interface Marker {
  x: number;
  label: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  markers?: readonly Marker[];
  width?: number;
  height?: number;
}

const COLOURS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
];

/** 1, 2 or 5 times a power of ten: the step that gives about `count` ticks over `span`. */
export function niceStep(span: number, count = 5): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const fmt = (value: number) =>
  Math.abs(value) >= 100 ? String(Math.round(value)) : String(Number(value.toFixed(2)));

export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 760;
  const height = options.height ?? 320;
  const left = 64;
  const right = 170; // room for the legend
  const top = 36;
  const bottom = 44;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const all = options.series.flatMap((s) => s.points);
  const lastX = Math.max(1, ...all.map(([x]) => x), ...(options.markers ?? []).map((m) => m.x));
  const stepX = niceStep(lastX, 8);
  const maxX = Math.ceil(lastX / stepX) * stepX;
  const stepY = niceStep(Math.max(...all.map(([, y]) => y), 0) || 1);
  const maxY = Math.max(stepY, Math.ceil(Math.max(...all.map(([, y]) => y), 0) / stepY) * stepY);
  const sx = (x: number) => left + (x / maxX) * plotW;
  const sy = (y: number) => top + plotH - (y / maxY) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  for (let y = 0; y <= maxY + stepY / 2; y += stepY) {
    out.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${sy(y)}" y2="${sy(y)}" stroke="#e5e5e5"/>`,
      `<text x="${left - 6}" y="${sy(y) + 4}" text-anchor="end">${fmt(y)}</text>`,
    );
  }
  for (let x = 0; x <= maxX + stepX / 2; x += stepX) {
    out.push(`<text x="${sx(x)}" y="${top + plotH + 16}" text-anchor="middle">${fmt(x)}</text>`);
  }
  out.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333"/>`,
    `<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`,
    `<text x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(14 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  for (const [index, marker] of (options.markers ?? []).entries()) {
    const x = sx(marker.x);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${top}" y2="${top + plotH}" stroke="#999" stroke-dasharray="4 3"/>`,
      `<text x="${x + 2}" y="${top + 10 + (index % 4) * 11}" fill="#555" font-size="9">${escapeXml(marker.label)}</text>`,
    );
  }
  for (const [index, series] of options.series.entries()) {
    const colour = COLOURS[index % COLOURS.length]!;
    const path = series.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    if (path) out.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${path}"/>`);
    const ly = top + 8 + index * 16;
    out.push(
      `<line x1="${left + plotW + 12}" x2="${left + plotW + 30}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${left + plotW + 34}" y="${ly + 4}">${escapeXml(series.name)}</text>`,
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export interface BarChartOptions {
  title: string;
  unit: string;
  groups: readonly string[];
  series: readonly { name: string; values: readonly (number | undefined)[] }[];
  threshold?: { value: number; label: string };
  width?: number;
}

const label = (value: number) =>
  value >= 1000 ? Math.round(value).toLocaleString('en-US') : String(Number(value.toPrecision(3)));

/** Horizontal bars: one group per label, one bar per series, and an optional dashed goal line. */
export function barChart(options: BarChartOptions): string {
  const width = options.width ?? 760;
  const left = 230; // room for the group labels
  const right = 70; // room for the value at the end of the longest bar
  const legend = options.series.length > 1 ? 18 : 0;
  const top = 36 + legend;
  const bar = 14;
  const groupH = options.series.length * (bar + 2) + 10;
  const plotW = width - left - right;
  const plotH = Math.max(groupH, options.groups.length * groupH);
  const height = top + plotH + 40;
  const values = options.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  const highest = Math.max(0, ...values, options.threshold?.value ?? 0);
  const step = niceStep(highest || 1);
  const maxX = Math.max(step, Math.ceil(highest / step) * step);
  const sx = (x: number) => left + (Math.max(0, x) / maxX) * plotW;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  for (let x = 0; x <= maxX + step / 2; x += step) {
    out.push(
      `<line x1="${sx(x)}" x2="${sx(x)}" y1="${top}" y2="${top + plotH}" stroke="#e5e5e5"/>`,
      `<text x="${sx(x)}" y="${top + plotH + 16}" text-anchor="middle">${fmt(x)}</text>`,
    );
  }
  out.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333"/>`,
    `<text x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(options.unit)}</text>`,
  );
  if (legend) {
    for (const [index, series] of options.series.entries()) {
      const x = left + index * 150;
      out.push(
        `<rect x="${x}" y="${30}" width="12" height="10" fill="${COLOURS[index % COLOURS.length]}"/>`,
        `<text x="${x + 16}" y="${39}">${escapeXml(series.name)}</text>`,
      );
    }
  }
  for (const [g, group] of options.groups.entries()) {
    const y0 = top + g * groupH + 5;
    out.push(
      `<text x="${left - 6}" y="${y0 + (groupH - 10) / 2 + 4}" text-anchor="end">${escapeXml(group)}</text>`,
    );
    for (const [s, series] of options.series.entries()) {
      const value = series.values[g];
      if (value === undefined || !Number.isFinite(value)) continue;
      const y = y0 + s * (bar + 2);
      const w = Math.max(1, sx(value) - left);
      out.push(
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${COLOURS[s % COLOURS.length]}"/>`,
        `<text x="${(left + w + 4).toFixed(1)}" y="${y + bar - 3}">${label(value)}</text>`,
      );
    }
  }
  if (options.threshold) {
    const x = sx(options.threshold.value);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${top - 4}" y2="${top + plotH}" stroke="#d62728" stroke-dasharray="5 3"/>`,
      `<text x="${x + 3}" y="${top + plotH - 4}" fill="#d62728" font-size="10">${escapeXml(options.threshold.label)}</text>`,
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
