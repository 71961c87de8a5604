// What the policy check needs of time zones and clock times, without luxon: validating a policy
// (every CLI run) should not load a date library that only deadlines use (working-hours.ts).

/** Whether Intl (the IANA database that ships with Node) knows the zone: the same test luxon's
 * `IANAZone.isValidZone` makes, so working-hours.ts computes with every zone this accepts. */
export function isValidTimeZone(name: string): boolean {
  if (!name) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name }).format();
    return true;
  } catch {
    return false;
  }
}

/** `09:00` -> 540; `24:00` -> 1440; undefined for anything else. */
export function parseClock(text: string): number | undefined {
  const m = /^([01][0-9]|2[0-4]):([0-5][0-9])$/.exec(text);
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 24 * 60 ? minutes : undefined;
}
