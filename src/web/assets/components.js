// The GOV.UK Frontend components with a script that Trellis's pages use,
// listed once: app.js sets up every one of them. Bundled by
// scripts/build-assets.mjs, so only these are shipped (GOV.UK Frontend's
// initAll would bring all of them). A template that starts using another
// component with a `data-module` needs it added here.
export {
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  NotificationBanner,
  PasswordInput,
  Radios,
  ServiceNavigation,
  SkipLink,
} from 'govuk-frontend';
