import { SuppackError } from './errors';

/**
 * The fixed default time of every output when SOURCE_DATE_EPOCH is not set:
 * 2000-01-01T00:00:00Z, the date XCP-ng's image scripts fake for the same reason.
 */
export const DEFAULT_EPOCH = 946684800;

/** Seconds since 1970 that every timestamp in an output is set to. */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return DEFAULT_EPOCH;
  if (!/^\d{1,11}$/.test(raw)) {
    throw new SuppackError(`expected a non-negative integer number of seconds, got ${JSON.stringify(raw)}`, {
      file: 'environment',
      field: 'SOURCE_DATE_EPOCH',
    });
  }
  return Number(raw);
}
