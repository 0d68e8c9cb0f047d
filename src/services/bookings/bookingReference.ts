import { randomInt } from 'node:crypto';

// No 0/O, 1/I/L or U: references are read aloud over the phone.
const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';

/**
 * A booking reference such as "TRL-7K4P-QX9M": short enough to read out,
 * and random (about 59 bits) so that one cannot be guessed from another.
 */
export function newBookingReference(): string {
  const group = () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `TRL-${group()}-${group()}-${group()}`;
}
