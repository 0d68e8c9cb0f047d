import { describe, expect, it } from 'vitest';

import { renderMarkdown } from './markdown.js';

describe('renderMarkdown', () => {
  it('renders paragraphs and lists with GOV.UK classes', () => {
    expect(renderMarkdown('Hello *there*\n\n- one\n- two')).toBe(
      '<p class="govuk-body">Hello <em>there</em></p>\n<ul class="govuk-list govuk-list--bullet">\n<li>one</li>\n<li>two</li>\n</ul>\n',
    );
  });

  it('never lets HTML or script through', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))',
    );
    expect(html).not.toMatch(/<script|<img|href="javascript/i);
    expect(html).toContain('&lt;script&gt;');
  });

  it('keeps safe links and demotes a top-level heading', () => {
    const html = renderMarkdown('# Title\n\n[Park and Ride](https://example.org/park)');
    expect(html).toContain('<h2 class="govuk-heading-m">Title</h2>');
    expect(html).toContain('<a href="https://example.org/park" class="govuk-link">Park and Ride</a>');
  });

  it('renders nothing for empty text', () => {
    expect(renderMarkdown('')).toBe('');
    expect(renderMarkdown(null)).toBe('');
  });
});
