// Fettle's one chart helper over the vendored uPlot: time series with hover values in the
// legend, drag to zoom on time, double-click to reset. Colours come from the stylesheet's
// colour-blind-safe series variables, so dark mode and the palette live in one place.

const DAY_S = 86400;

/** A CSS custom property's value. */
function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** `m:ss` or `h:mm:ss` for a number of seconds. */
export function clock(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
}

/** A number with `digits` decimals, or a dash for missing values. */
export function fixed(value, digits) {
  return value == null || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/** Seconds since the epoch at UTC midnight of an ISO day (`2026-11-29`). */
export function daySeconds(isoDay) {
  return Date.parse(`${isoDay}T00:00:00Z`) / 1000;
}

/** The Monday (UTC) starting the ISO week of a day given in epoch seconds. */
export function weekStart(seconds) {
  const d = new Date(seconds * 1000);
  const back = (d.getUTCDay() + 6) % 7;
  return seconds - back * DAY_S;
}

/**
 * Draws a chart into `container` and returns the uPlot instance (or null when there is
 * nothing to draw).
 *
 * options:
 *   title, help      captions above the chart
 *   x                x values: seconds (UTC days for `xKind: 'date'`, elapsed for `'elapsed'`)
 *   xKind            'date' (default) or 'elapsed'
 *   series           [{label, values, color: 1..5, scale, unit, digits, format, tick, bars, dash}]
 *   height           pixels (default 260)
 */
export function drawChart(container, options) {
  const { title, help, x, series, xKind = 'date', height = 260 } = options;
  const figure = document.createElement('figure');
  figure.className = 'chart';
  if (title) {
    const caption = document.createElement('figcaption');
    caption.className = 'chart-title';
    caption.textContent = title;
    figure.append(caption);
  }
  const hint = document.createElement('p');
  hint.className = 'chart-help';
  hint.textContent = help || 'Hover for values; drag across to zoom in on time; double-click to reset.';
  figure.append(hint);
  const plotBox = document.createElement('div');
  figure.append(plotBox);
  container.append(figure);
  if (!x || x.length === 0 || typeof window.uPlot !== 'function') {
    hint.textContent = 'Nothing to chart yet.';
    return null;
  }

  const text = cssVar('--text');
  const grid = cssVar('--grid');
  const dated = xKind === 'date';
  const scales = { x: { time: dated } };
  const axes = [{
    stroke: text,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
  }];
  if (!dated) axes[0].values = (u, ticks) => ticks.map((t) => clock(t));
  const usedScales = [];
  for (const s of series) {
    const scale = s.scale || 'y';
    if (!usedScales.includes(scale)) usedScales.push(scale);
  }
  usedScales.forEach((scale, i) => {
    const first = series.find((s) => (s.scale || 'y') === scale);
    scales[scale] = {};
    const axis = {
      scale,
      side: i === 0 ? 3 : 1,
      stroke: text,
      grid: { show: i === 0, stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      label: first.unit || '',
      size: 60,
    };
    if (first.tick) axis.values = (u, ticks) => ticks.map(first.tick);
    axes.push(axis);
  });
  const plotSeries = [{
    label: dated ? 'Date' : 'Time',
    value: dated
      ? (u, v) => (v == null ? '—' : new Date(v * 1000).toISOString().slice(0, 10))
      : (u, v) => clock(v),
  }];
  for (const s of series) {
    const colour = cssVar(`--series-${s.color || 1}`);
    const one = {
      label: s.label,
      scale: s.scale || 'y',
      stroke: colour,
      width: 2,
      spanGaps: false,
      value: s.format ? (u, v) => s.format(v) : (u, v) => fixed(v, s.digits ?? 1),
    };
    if (s.dash) one.dash = [6, 4];
    if (s.bars) {
      one.fill = colour;
      one.paths = window.uPlot.paths.bars({ size: [0.7, 60] });
      one.points = { show: false };
    }
    plotSeries.push(one);
  }
  const width = () => Math.max(280, plotBox.clientWidth || container.clientWidth || 320);
  const plot = new window.uPlot({
    // Days are encoded as UTC midnights: label them in UTC so no time zone shifts a day.
    tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    width: width(),
    height,
    scales,
    axes,
    series: plotSeries,
    cursor: { drag: { x: true, y: false, setScale: true } },
    legend: { live: true },
  }, [x, ...series.map((s) => s.values)], plotBox);
  // Kept on the element so a page (or a test) can reach the chart it shows.
  plotBox.uplot = plot;
  plot.root.setAttribute('role', 'group');
  plot.root.setAttribute('aria-label', `${title || 'Chart'}: ${series.map((s) => s.label).join(', ')}`);
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(() => {
      const w = width();
      if (Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height });
    }).observe(plotBox);
  }
  return plot;
}
