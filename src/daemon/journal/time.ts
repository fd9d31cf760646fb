/**
 * Entry times are stored as Date.prototype.toISOString text (UTC, milliseconds, always 24
 * characters for years 0000-9999): in that form text order is time order, so the time index
 * serves since/until and sorting without parsing a row.
 */
import { NumapolError } from '../../errors.js';

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The stored form of an instant. */
export function journalTime(date: Date): string {
  const t = date.getTime();
  if (!Number.isFinite(t)) throw new NumapolError('EINVAL', 'journal time is not a valid date');
  const s = date.toISOString();
  if (!CANONICAL.test(s)) throw new NumapolError('EINVAL', `journal time ${s} is outside the years 0000-9999`);
  return s;
}

/** A caller's ISO 8601 time (any offset) in stored form. */
export function normalizeTime(text: string): string {
  // Date.parse also takes forms like "May 1 2024"; only ISO 8601 with a date and time is an entry time.
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) throw new NumapolError('EINVAL', `journal time ${JSON.stringify(text)} is not ISO 8601 (2024-05-01T12:00:00.000Z)`);
  const date = new Date(text);
  if (!Number.isFinite(date.getTime())) throw new NumapolError('EINVAL', `journal time ${JSON.stringify(text)} is not a valid date`);
  return journalTime(date);
}
