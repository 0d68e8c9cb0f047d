/**
 * Bar charts of answers on a scale (confidence before and after a course, how
 * useful it was, whether practice changed in a key area), drawn on the server as SVG so they need no
 * JavaScript, print as sharply as the text, and scale down on a phone.
 *
 * A chart is always shown beside a table of the same figures: the table is
 * what a screen reader reads and what the figures are checked against. The
 * chart itself is one image (role="img") named by its <title> and described
 * by its <desc>, which say in words what the bars show. Series are told apart
 * by pattern as well as colour (hatched before, solid after) and every bar
 * carries its count and its series' name, so nothing depends on seeing colour.
 */

/** One set of answers drawn as a bar on each point of the scale. */
export interface ChartSeries {
  /** A short name printed on each of its bars and in the legend: "Before", "After". */
  name: string;
  /** counts[0] answered the first point of the scale; the answers apart from it follow the scale's. */
  counts: readonly number[];
  /** Ignored when the chart shows no means. */
  mean: number | null;
}

export interface ScaleChartInput {
  /** Unique on the page: names the title, description and patterns. */
  id: string;
  title: string;
  /** The scale's points in words, first point first (domain/afterCourse/feedback.ts). */
  words: readonly string[];
  /**
   * Answers that are not a point on the scale ("Not applicable"), drawn after
   * it below a rule; their counts follow the scale's in each series.
   */
  apart?: readonly string[];
  /** Whether each series' mean is drawn and described (not where the scale's points are words alone). */
  means?: boolean;
  series: readonly ChartSeries[];
  /** Marks the chart, in its picture and its description, as too few to read into. */
  tooFew: boolean;
  /** What the figures count, for the description: "answers". */
  unit?: string;
}

/** The drawing's size in its own units: it is scaled to the width it is given. */
export const CHART_WIDTH = 480;
const MARGIN = 4;
const FONT_SIZE = 15;
const LINE = 20;
const BAR_HEIGHT = 18;
const BAR_GAP = 4;
const GROUP_GAP = 12;
/** Room to the right of the longest bar for its label ("After: 120"). */
const LABEL_ROOM = 110;
export const BAR_MAX = CHART_WIDTH - 2 * MARGIN - LABEL_ROOM;

/** GOV.UK's text colour and blue: 19:1 and 5.2:1 against white, so both read in print too. */
const INK = '#0b0c0c';
const BLUE = '#1d70b8';

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A mean in words: "3.4", or "none" when nobody answered. */
export function meanWords(mean: number | null): string {
  return mean === null ? 'none' : mean.toFixed(1);
}

/** The length of a bar for `count`, when the largest count on the chart is `largest`. */
export function barLength(count: number, largest: number, barMax = BAR_MAX): number {
  return largest > 0 ? Math.round((count / largest) * barMax * 10) / 10 : 0;
}

/** About the width of a character at FONT_SIZE, to leave room for long bar labels ("Line managers: 120"). */
const CHARACTER_WIDTH = 8.5;

/** The first of two series is hatched (before), the other solid (after); a single series is solid. */
function fill(index: number, seriesCount: number, id: string): string {
  return index === 0 && seriesCount > 1 ? `url(#${id}-hatch)` : BLUE;
}

/** The description read out: every count, in words, and each series' mean. */
export function chartDescription(input: ScaleChartInput): string {
  const unit = input.unit ?? 'answers';
  const apart = input.apart ?? [];
  const parts = input.series.map((series) => {
    const onScale = series.counts.slice(0, input.words.length);
    const answers = onScale.reduce((sum, count) => sum + count, 0);
    const counts = input.words.map((word, index) => `${word} ${series.counts[index] ?? 0}`).join(', ');
    const prefix = input.series.length > 1 ? `${series.name}: ` : '';
    const mean = input.means === false ? '' : `; mean ${meanWords(series.mean)} out of ${input.words.length}`;
    const apartWords = apart
      .map((word, index) => `${word} ${series.counts[input.words.length + index] ?? 0}`)
      .join(', ');
    const others = apart.length ? ` Apart from the scale: ${apartWords}.` : '';
    const scale = apart.length ? ` on the scale` : '';
    // "1 answer", "2 answers".
    const units = answers === 1 ? unit.replace(/s$/, '') : unit;
    return `${prefix}${answers} ${units}${scale}: ${counts}${mean}.${others}`;
  });
  const tooFew = input.tooFew ? ` Too few ${unit} to read into.` : '';
  return `${parts.join(' ')}${tooFew}`;
}

/** A bar's label: its count, with its series' name where there are several. */
function barLabel(input: ScaleChartInput, series: ChartSeries, count: number): string {
  return input.series.length > 1 ? `${series.name}: ${count}` : String(count);
}

/** The chart as an SVG element, every text in it escaped. */
export function scaleChart(input: ScaleChartInput): string {
  const id = input.id.replace(/[^A-Za-z0-9_-]/g, '-');
  const largest = Math.max(0, ...input.series.flatMap((series) => series.counts));
  // The longest label a bar can carry: bars are shortened so it fits beside the longest.
  const longestLabel = Math.max(...input.series.map((series) => barLabel(input, series, largest).length));
  const barMax = Math.min(BAR_MAX, CHART_WIDTH - 2 * MARGIN - 6 - Math.ceil(longestLabel * CHARACTER_WIDTH));
  const parts: string[] = [];
  let y = MARGIN;

  if (input.series.length > 1) {
    // The legend: each series' swatch and name, in a line.
    let x = MARGIN;
    for (const [index, series] of input.series.entries()) {
      parts.push(
        `<rect x="${x}" y="${y}" width="${BAR_HEIGHT}" height="${BAR_HEIGHT}" fill="${fill(index, input.series.length, id)}" stroke="${INK}" stroke-width="1"/>`,
        `<text x="${x + BAR_HEIGHT + 6}" y="${y + BAR_HEIGHT - 4}" font-size="${FONT_SIZE}" fill="${INK}">${escapeXml(series.name)}</text>`,
      );
      x += BAR_HEIGHT + 6 + series.name.length * 9 + 24;
    }
    y += BAR_HEIGHT + GROUP_GAP;
  }

  const apart = input.apart ?? [];
  for (const [point, word] of [...input.words, ...apart].entries()) {
    if (point === input.words.length) {
      // A rule between the scale and the answers apart from it.
      parts.push(
        `<line x1="${MARGIN}" y1="${y}" x2="${CHART_WIDTH - MARGIN}" y2="${y}" stroke="${INK}" stroke-width="1" stroke-dasharray="4 3"/>`,
      );
      y += GROUP_GAP / 2;
    }
    y += LINE - 5;
    parts.push(
      `<text x="${MARGIN}" y="${y}" font-size="${FONT_SIZE}" fill="${INK}">${escapeXml(word)}</text>`,
    );
    y += 5;
    for (const [index, series] of input.series.entries()) {
      const count = series.counts[point] ?? 0;
      const length = barLength(count, largest, barMax);
      if (length > 0) {
        parts.push(
          `<rect x="${MARGIN}" y="${y}" width="${length}" height="${BAR_HEIGHT}" fill="${fill(index, input.series.length, id)}" stroke="${INK}" stroke-width="1"/>`,
        );
      }
      const label = barLabel(input, series, count);
      parts.push(
        `<text x="${MARGIN + length + 6}" y="${y + BAR_HEIGHT - 4}" font-size="${FONT_SIZE}" fill="${INK}">${escapeXml(label)}</text>`,
      );
      y += BAR_HEIGHT + BAR_GAP;
    }
    y += GROUP_GAP - BAR_GAP;
  }

  if (input.means !== false) {
    y += LINE - 5;
    const means = input.series
      .map((series) =>
        input.series.length > 1 ? `${series.name} ${meanWords(series.mean)}` : meanWords(series.mean),
      )
      .join(', ');
    parts.push(
      `<text x="${MARGIN}" y="${y}" font-size="${FONT_SIZE}" font-weight="bold" fill="${INK}">${escapeXml(`Mean (1 to ${input.words.length}): ${means}`)}</text>`,
    );
  }
  if (input.tooFew) {
    y += LINE + 2;
    parts.push(
      `<text x="${MARGIN}" y="${y}" font-size="${FONT_SIZE}" font-weight="bold" fill="${INK}">Too few to read into</text>`,
    );
  }
  const height = Math.ceil(y + MARGIN + 4);

  const hatch =
    input.series.length > 1
      ? `<defs><pattern id="${id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="${INK}" stroke-width="2.5"/></pattern></defs>`
      : '';
  return [
    `<svg class="trellis-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART_WIDTH} ${height}" role="img" aria-labelledby="${id}-title ${id}-desc">`,
    `<title id="${id}-title">${escapeXml(input.title)}</title>`,
    `<desc id="${id}-desc">${escapeXml(chartDescription(input))}</desc>`,
    hatch,
    ...parts,
    '</svg>',
  ].join('');
}
