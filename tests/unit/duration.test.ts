import {describe, expect, it} from 'vitest';

import {formatDuration, formatUtc, parseDuration} from '../../sources/policy/duration';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe(`parseDuration`, () => {
  it.each([
    [`90m`, 90 * MINUTE],
    [`12h`, 12 * HOUR],
    [`3d`, 3 * DAY],
    [`1w`, 7 * DAY],
    [`0`, 0],
    [`1440`, DAY],
    [`1.5h`, 90 * MINUTE],
    [` 2d `, 2 * DAY],
    [`0d`, 0],
  ])(`%j is %d ms`, (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([``, `3 days`, `-1d`, `1y`, `3D`, `d`, `1e3`, `Infinity`, `NaN`, `1d2h`, `99999999999999999999w`])(`%j is rejected`, text => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe(`formatDuration`, () => {
  it.each([
    [0, `<1m`],
    [59_999, `<1m`],
    [45 * MINUTE, `45m`],
    [2 * HOUR + 5 * MINUTE, `2h 5m`],
    [3 * DAY, `3d`],
    [2 * DAY + 4 * HOUR + 10 * MINUTE, `2d 4h`],
    [7 * DAY, `1w`],
    [14 * DAY, `2w`],
    [8 * DAY, `8d`],
  ])(`%d ms reads %j`, (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe(`formatUtc`, () => {
  it(`prints minutes in UTC`, () => {
    expect(formatUtc(new Date(`2026-03-31T02:21:59.999+02:00`))).toBe(`2026-03-31 00:21 UTC`);
  });
});
