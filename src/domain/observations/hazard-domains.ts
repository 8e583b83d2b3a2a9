/**
 * The closed hazard taxonomy (DESIGN.md "Hazard domains"): used to route, filter and report.
 * Extending it is a deliberate change here, never a free-text field.
 */
export const hazardDomains = [
  'natural',
  'health',
  'food_drug',
  'workplace',
  'infrastructure',
  'cyber_data',
  'economic',
  'environment',
  'maritime',
  'space',
  'community',
] as const;

export type HazardDomain = (typeof hazardDomains)[number];

const domainSet: ReadonlySet<string> = new Set(hazardDomains);

/** True when `value` names a domain of the taxonomy. */
export function isHazardDomain(value: unknown): value is HazardDomain {
  return typeof value === 'string' && domainSet.has(value);
}
