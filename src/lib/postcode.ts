/**
 * UK postcodes, checked against the Royal Mail pattern (outward code, space, inward code), so a
 * typo is caught at the form rather than when someone tries to find the venue. Spaces and case
 * are forgiven: "ox1 3bg", "OX13BG" and " Ox1  3Bg " all become "OX1 3BG".
 */
const outward = '(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])';
const inward = '[0-9][ABD-HJLNP-UW-Z]{2}';
const postcodePattern = new RegExp(`^(${outward})(${inward})$`);

/** The postcode in its standard form, or null when it is not a UK postcode. */
export function normalisePostcode(input: string): string | null {
  const compact = input.replace(/\s+/g, '').toUpperCase();
  if (compact === 'GIR0AA') return 'GIR 0AA';
  const match = postcodePattern.exec(compact);
  return match ? `${match[1]} ${match[2]}` : null;
}
