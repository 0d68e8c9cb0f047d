import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';

import { CONFIDENCE_WORDS, USEFULNESS_WORDS } from '../../domain/afterCourse/feedback.js';
import { BAR_MAX, barLength, CHART_WIDTH, scaleChart, type ScaleChartInput } from './scaleChart.js';

function drawn(input: ScaleChartInput) {
  const { document } = parseHTML(`<!doctype html><html><body>${scaleChart(input)}</body></html>`);
  const svg = document.querySelector('svg')!;
  return {
    svg,
    texts: [...svg.querySelectorAll('text')].map((text) => text.textContent),
    // Bars, not the legend's swatches (which are square and sit above the first word).
    bars: [...svg.querySelectorAll('rect')].filter(
      (rect) => rect.parentElement?.tagName.toLowerCase() === 'svg',
    ),
  };
}

const confidence: ScaleChartInput = {
  id: 'outcome-1',
  title: 'Confidence before and after: Recognise the signs of trauma',
  words: CONFIDENCE_WORDS,
  series: [
    { name: 'Before', counts: [4, 2, 0, 0, 0], mean: 8 / 6 },
    { name: 'After', counts: [0, 0, 1, 2, 3], mean: 26 / 6 },
  ],
  tooFew: false,
};

describe('a chart of answers on a five-point scale', () => {
  it('is one image named by its title and described in words, with every count', () => {
    const { svg } = drawn(confidence);
    expect(svg.getAttribute('role')).toBe('img');
    const [titleId, descId] = svg.getAttribute('aria-labelledby')!.split(' ');
    expect(svg.querySelector(`#${titleId}`)!.textContent).toBe(confidence.title);
    expect(svg.querySelector(`#${descId}`)!.textContent).toBe(
      'Before: 6 answers: Not at all confident 4, Slightly confident 2, Somewhat confident 0, Fairly confident 0, Very confident 0; mean 1.3 out of 5. ' +
        'After: 6 answers: Not at all confident 0, Slightly confident 0, Somewhat confident 1, Fairly confident 2, Very confident 3; mean 4.3 out of 5.',
    );
  });

  it('draws bars in proportion to their counts, the largest across the whole width, none for nobody', () => {
    const { bars, svg } = drawn(confidence);
    const swatches = 2;
    const widths = bars.slice(swatches).map((rect) => Number(rect.getAttribute('width')));
    // Before: 4 and 2 (nothing for three points with no answers); after: 1, 2, 3.
    expect(widths).toEqual([BAR_MAX, BAR_MAX / 2, barLength(1, 4), barLength(2, 4), barLength(3, 4)]);
    expect(barLength(1, 4)).toBe(BAR_MAX / 4);
    expect(svg.getAttribute('viewBox')!.split(' ').map(Number)[2]).toBe(CHART_WIDTH);
    // Bars stay inside the drawing with room for their labels.
    for (const rect of bars) {
      expect(Number(rect.getAttribute('x')) + Number(rect.getAttribute('width'))).toBeLessThan(CHART_WIDTH);
    }
  });

  it('names the series on every bar and tells them apart by pattern, not colour alone', () => {
    const { texts, bars } = drawn(confidence);
    expect(texts).toContain('Before: 4');
    expect(texts).toContain('After: 0');
    expect(texts).toContain('Very confident');
    expect(texts).toContain('Mean (1 to 5): Before 1.3, After 4.3');
    const fills = new Set(bars.map((rect) => rect.getAttribute('fill')));
    expect(fills).toEqual(new Set(['url(#outcome-1-hatch)', '#1d70b8']));
  });

  it('draws one series solid with bare counts', () => {
    const { texts, bars, svg } = drawn({
      id: 'usefulness',
      title: 'How useful',
      words: USEFULNESS_WORDS,
      series: [{ name: 'Usefulness', counts: [0, 0, 0, 1, 0], mean: 4 }],
      tooFew: true,
    });
    expect(bars.map((rect) => rect.getAttribute('width'))).toEqual([String(BAR_MAX)]);
    expect(bars[0]!.getAttribute('fill')).toBe('#1d70b8');
    expect(svg.querySelector('pattern')).toBeNull();
    expect(texts).toContain('1');
    expect(texts).toContain('Mean (1 to 5): 4.0');
    expect(texts).toContain('Too few to read into');
    expect(svg.querySelector('desc')!.textContent).toMatch(/Too few answers to read into\.$/);
  });

  it('escapes what a coordinator typed, and makes ids safe', () => {
    const svg = scaleChart({ ...confidence, id: 'a b"c', title: '<script>alert("x")</script> & more' });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(svg).toContain('aria-labelledby="a-b-c-title a-b-c-desc"');
  });

  it('draws nothing to mislead when nobody answered', () => {
    const { bars, texts } = drawn({
      ...confidence,
      series: [
        { name: 'Before', counts: [0, 0, 0, 0, 0], mean: null },
        { name: 'After', counts: [0, 0, 0, 0, 0], mean: null },
      ],
      tooFew: true,
    });
    expect(bars.length).toBe(2); // the legend only
    expect(texts).toContain('Mean (1 to 5): Before none, After none');
  });

  it('draws answers apart from the scale below a rule, without means, and shortens bars for long labels', () => {
    const { svg, texts, bars } = drawn({
      id: 'key-area-1',
      title: 'Whether practice changed: Types of abuse',
      words: ['Not at all', 'A little', 'Somewhat', 'A lot'],
      apart: ['Not applicable'],
      means: false,
      series: [
        { name: 'Delegates', counts: [0, 1, 1, 300, 2], mean: null },
        { name: 'Line managers', counts: [0, 0, 0, 1, 0], mean: null },
      ],
      tooFew: true,
    });
    expect(svg.querySelector('desc')!.textContent).toBe(
      'Delegates: 302 answers on the scale: Not at all 0, A little 1, Somewhat 1, A lot 300. ' +
        'Apart from the scale: Not applicable 2. ' +
        'Line managers: 1 answer on the scale: Not at all 0, A little 0, Somewhat 0, A lot 1. ' +
        'Apart from the scale: Not applicable 0. Too few answers to read into.',
    );
    expect(texts.filter((text) => text!.startsWith('Mean'))).toEqual([]);
    expect(texts).toContain('Not applicable');
    expect(texts).toContain('Delegates: 2');
    // The rule sits above "Not applicable", below every bar of the scale.
    const rule = [...svg.querySelectorAll('line')].find((line) => line.getAttribute('stroke-dasharray'))!;
    const notApplicable = [...svg.querySelectorAll('text')].find(
      (text) => text.textContent === 'Not applicable',
    )!;
    const scaleBars = bars.slice(0, -1);
    expect(Number(rule.getAttribute('y1'))).toBeLessThan(Number(notApplicable.getAttribute('y')));
    expect(scaleBars.every((bar) => Number(bar.getAttribute('y')) < Number(rule.getAttribute('y1')))).toBe(
      true,
    );
    // "Line managers: 300" fits beside the longest bar.
    const longest = Math.max(...bars.map((bar) => Number(bar.getAttribute('width'))));
    expect(longest).toBeLessThan(BAR_MAX);
    expect(longest + 4 + 6 + 'Line managers: 300'.length * 8.5).toBeLessThanOrEqual(CHART_WIDTH);
  });
});
