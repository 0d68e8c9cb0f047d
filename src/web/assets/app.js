// Progressive enhancement only: every page works without this file.
import { initAll } from './govuk-frontend.min.js';

document.body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported');
  initAll();
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
