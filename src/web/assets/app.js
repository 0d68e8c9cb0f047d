// Progressive enhancement only: every page works without this file.
//
// Bundled by scripts/build-assets.mjs with just the GOV.UK Frontend
// components listed in components.js.
import { createAll } from 'govuk-frontend';

import * as components from './components.js';

document.body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported');
  for (const component of Object.values(components)) createAll(component);
}

// A register's "use your browser's Print command" becomes a Print button.
// Without JavaScript window.print() is out of reach, so the words stay.
for (const hint of document.querySelectorAll('[data-trellis-print]')) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'govuk-button govuk-button--secondary';
  button.textContent = 'Print this register';
  button.addEventListener('click', () => globalThis.print());
  hint.replaceWith(button);
}
