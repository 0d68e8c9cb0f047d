/**
 * Organisations delegates work for. Delegates may add one that is not on the
 * list; staff confirm it, set its type, or merge it into one already there.
 */
export const ORGANISATION_TYPES = ['partner_agency', 'voluntary', 'private', 'out_of_area'] as const;

/** What an organisation is to the hub (a partner agency, say): staff set it. */
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];

/** The words staff see for each organisation type, on pages and in exports. */
export const ORGANISATION_TYPE_NAMES: Record<OrganisationType, string> = {
  partner_agency: 'Partner agency',
  voluntary: 'Voluntary or community',
  private: 'Private',
  out_of_area: 'Out of area',
};
