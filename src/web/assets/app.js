// Progressive enhancement only: every page works without this file.
//
// Bundled by scripts/build-assets.mjs with just the GOV.UK Frontend
// components Trellis's pages use (GOV.UK Frontend's initAll would bring all
// of them). A template that starts using another component with a
// `data-module` needs it added here.
import {
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  NotificationBanner,
  PasswordInput,
  Radios,
  ServiceNavigation,
  SkipLink,
  createAll,
} from 'govuk-frontend';

document.body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported');
  for (const component of [
    Button,
    CharacterCount,
    Checkboxes,
    ErrorSummary,
    NotificationBanner,
    PasswordInput,
    Radios,
    ServiceNavigation,
    SkipLink,
  ]) {
    createAll(component);
  }
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
