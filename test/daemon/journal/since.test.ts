import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSince } from '../../../src/daemon/journal/since.js';
import { UsageError } from '../../../src/errors.js';

const now = new Date('2024-05-10T15:45:30.250Z');
const at = (text: string) => parseSince(text, { now });

/** Runs fn with the process in time zone tz (Node rereads TZ when it is set). */
function inZone<T>(tz: string, fn: () => T): T {
  const old = process.env['TZ'];
  process.env['TZ'] = tz;
  try {
    return fn();
  } finally {
    if (old === undefined) delete process.env['TZ'];
    else process.env['TZ'] = old;
  }
}

test('a time ago: s, m, h, d, w count back from now', () => {
  const back = (ms: number) => new Date(now.getTime() - ms);
  assert.deepEqual(at('30s'), back(30_000));
  assert.deepEqual(at('10m'), back(600_000));
  assert.deepEqual(at('2h'), back(7_200_000));
  assert.deepEqual(at('3d'), back(3 * 86_400_000));
  assert.deepEqual(at('1w'), back(7 * 86_400_000));
  assert.deepEqual(at('0m'), now);
  assert.deepEqual(at(' 2h '), back(7_200_000), 'surrounding blanks are ignored');
});

test('a Unix time in seconds, fractions allowed', () => {
  assert.deepEqual(at('@1700000000'), new Date(1_700_000_000_000));
  assert.deepEqual(at('@1700000000.25'), new Date(1_700_000_000_250));
  assert.deepEqual(at('@0'), new Date(0));
});

test('ISO times with Z or an offset are that instant', () => {
  assert.deepEqual(at('2024-05-01T14:30:00Z'), new Date(Date.UTC(2024, 4, 1, 14, 30)));
  assert.deepEqual(at('2024-05-01t14:30:00.5z'), new Date(Date.UTC(2024, 4, 1, 14, 30, 0, 500)));
  assert.deepEqual(at('2024-05-01T14:30+02:00'), new Date(Date.UTC(2024, 4, 1, 12, 30)));
  assert.deepEqual(at('2024-05-01T14:30:05.123456-0530'), new Date(Date.UTC(2024, 4, 1, 20, 0, 5, 123)));
  assert.deepEqual(at('2024-05-01 14:30:00+05'), new Date(Date.UTC(2024, 4, 1, 9, 30)));
});

test('ISO dates and times without an offset are local time, in any zone', () => {
  for (const tz of ['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham']) {
    inZone(tz, () => {
      assert.deepEqual(at('2024-05-01'), new Date(2024, 4, 1), tz);
      assert.deepEqual(at('2024-05-01T14:30'), new Date(2024, 4, 1, 14, 30), tz);
      assert.deepEqual(at('2024-05-01 14:30:05.5'), new Date(2024, 4, 1, 14, 30, 5, 500), tz);
      assert.deepEqual(at('2024-02-29'), new Date(2024, 1, 29), `${tz}: a leap day`);
    });
  }
  assert.deepEqual(inZone('America/New_York', () => at('2024-05-01T14:30')), new Date('2024-05-01T18:30:00Z'), 'EDT is UTC-4');
  assert.deepEqual(inZone('Asia/Kolkata', () => at('2024-01-15')), new Date('2024-01-14T18:30:00Z'), 'IST is UTC+5:30');
});

test('today and yesterday are local midnights, also across a DST change', () => {
  inZone('UTC', () => {
    assert.deepEqual(at('today'), new Date('2024-05-10T00:00:00.000Z'));
    assert.deepEqual(at('yesterday'), new Date('2024-05-09T00:00:00.000Z'));
  });
  inZone('Europe/Berlin', () => {
    // 2024-03-31 03:00 CEST: clocks went forward at 02:00 CET, so that day had 23 hours.
    const afterChange = new Date('2024-04-01T10:00:00+02:00');
    assert.deepEqual(parseSince('today', { now: afterChange }), new Date('2024-04-01T00:00:00+02:00'));
    assert.deepEqual(parseSince('yesterday', { now: afterChange }), new Date('2024-03-31T00:00:00+01:00'));
  });
});

test('anything else is a UsageError that names the accepted forms', () => {
  const bad = [
    '',
    'now',
    'last week',
    '10',
    '10min',
    '-3d',
    '3 d',
    '1.5h',
    '@',
    '@-5',
    '@1e9',
    '2024-5-1',
    '2024-05',
    '2024-13-01',
    '2024-00-10',
    '2023-02-29',
    '2024-04-31',
    '2024-05-01T24:00',
    '2024-05-01T12:60',
    '2024-05-01T12:00:60',
    '2024-05-01T12',
    '2024-05-01Z',
    '2024-05-01T12:00+25:00',
    '2024-05-01T12:00+02:61',
    '99999999999d',
    '@99999999999999999',
  ];
  for (const text of bad) {
    assert.throws(
      () => at(text),
      (e: unknown) =>
        e instanceof UsageError &&
        e.usage &&
        e.message.startsWith(`bad --since time ${JSON.stringify(text)}`) &&
        /ISO date.*30s, 10m, 2h, 3d, 1w.*today, yesterday.*@1700000000/.test(e.message),
      text,
    );
  }
  assert.throws(() => parseSince('soon', { option: '--until' }), /bad --until time "soon"/);
  assert.throws(() => at('2024-02-30'), /there is no day 30 in 2024-02/);
});
