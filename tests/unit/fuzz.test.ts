import fc from 'fast-check';
import semver from 'semver';
import {describe, expect, it} from 'vitest';

import {parseDuration} from '../../sources/policy/duration';
import {matchesPattern, parsePattern} from '../../sources/policy/pattern';
import {MalformedPackumentError, readPackument} from '../../sources/registry/packument';
import {assessRelease, isEligible} from '../../sources/rules/releaseAge';
import {DAY, MINUTE, NOW, ago, makePolicy} from './policyFixture';

/** Deterministic: a failure prints its counterexample and replays with the same seed. */
const RUNS = {seed: 20261129, numRuns: 1000};
const FEW_RUNS = {seed: 20261129, numRuns: 500};

const UNIT_MS = {m: MINUTE, h: 60 * MINUTE, d: DAY, w: 7 * DAY} as const;
const YEAR = 365 * DAY;

// --- generators ----------------------------------------------------------------------------------

const anyString = fc.oneof(
  fc.string({maxLength: 40}),
  fc.string({unit: `binary`, maxLength: 40}),
  fc.stringMatching(/^[\s\d.mhdwMHDWe+-]{0,12}$/),
);

const prerelease = fc.oneof(
  fc.constant(``),
  fc.constantFrom(`alpha`, `beta`, `rc`, `next`).chain(tag => fc.nat(5).map(n => `-${tag}.${n}`)),
);
const version = fc.tuple(fc.nat(12), fc.nat(12), fc.nat(12), prerelease).map(([a, b, c, pre]) => `${a}.${b}.${c}${pre}`);

const range = fc.oneof(
  version,
  version.map(v => `^${v}`),
  version.map(v => `~${v}`),
  version.map(v => `>=${v}`),
  version.map(v => `<${v}`),
  version.map(v => `<=${v}`),
  version.map(v => `>${v}`),
  fc.tuple(version, version).map(([a, b]) => `>=${a} <${b}`),
  fc.tuple(version, version).map(([a, b]) => `${a} - ${b}`),
  fc.tuple(fc.nat(12), fc.nat(12)).map(([a, b]) => `${a}.${b}.x`),
  fc.nat(12).map(a => `${a}.x`),
  fc.constant(`*`),
).chain(first => fc.option(version.map(v => `^${v}`), {nil: undefined}).map(second => second === undefined ? first : `${first} || ${second}`));

/** npm-like names without glob characters, sometimes scoped, sometimes with capitals (exactness is case-sensitive). */
const bareName = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._~-]{0,10}$/);
const packageName = fc.oneof(bareName, fc.tuple(bareName, bareName).map(([scope, name]) => `@${scope}/${name}`));

// Timestamps are defined here from the calendar, independently of the reader: valid spellings are written from an
// instant, invalid ones are valid ones with one thing made wrong, so no rule shared with the reader decides either.

const pad = (n: number, width = 2) => String(n).padStart(width, `0`);

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
/** Thirty days hath September, April, June and November; February 28, or 29 in a leap year. */
const daysInMonth = (year: number, month: number) => [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];

/** The parts a timestamp is written with, in the zone it names. */
type Written = {year: number, month: number, day: number, hour: number, minute: number, second: number | null, fraction: string | null, zone: string};

const spell = ({year, month, day, hour, minute, second, fraction, zone}: Written) =>
  `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}${second === null ? `` : `:${pad(second)}${fraction === null ? `` : `.${fraction}`}`}${zone}`;

const zoneOf = (offsetMinutes: number) => `${offsetMinutes < 0 ? `-` : `+`}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;

/** Instants whose four-digit year stays four digits in any zone. */
const instant = fc.integer({min: Date.UTC(1000, 0, 2), max: Date.UTC(9000, 0, 1)});

/** Every way the instant `ms` can be written as a full timestamp: any zone, seconds and fraction when they are zero or not. */
function writtenAt(ms: number): fc.Arbitrary<Written> {
  const zone = fc.oneof(
    fc.constant({offset: 0, zone: `Z`}),
    fc.constantFrom(`+00:00`, `-00:00`).map(text => ({offset: 0, zone: text})),
    fc.integer({min: -(23 * 60 + 59), max: 23 * 60 + 59}).map(offset => ({offset, zone: zoneOf(offset)})),
  );
  const millis = ((ms % 1000) + 1000) % 1000;
  const subMillis = fc.stringMatching(/^\d{0,6}$/);
  return fc.tuple(zone, fc.boolean(), subMillis).map(([{offset, zone: text}, short, extra]) => {
    const local = new Date(ms + offset * MINUTE);
    const [hour, minute, second] = [local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()];
    const canDropSeconds = short && second === 0 && millis === 0;
    const fraction = short && millis === 0 ? null : `${pad(millis, 3)}${extra}`;
    return {year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate(), hour, minute, second: canDropSeconds ? null : second, fraction: canDropSeconds ? null : fraction, zone: text};
  });
}

/** Valid spellings of one instant. */
const isoSpellings = (ms: number) => writtenAt(ms).map(spell);

/**
 * Timestamp-shaped spellings of a day or hour that does not exist, with every other part valid: Date accepts them
 * and rolls them over to a neighbouring real time (Feb 30 -> Mar 1, 24:00 -> the next day), so only a calendar
 * check can refuse them.
 */
const calendarOverflow = instant.chain(writtenAt).chain(written => fc.oneof(
  fc.integer({min: 1, max: 12})
    .filter(month => daysInMonth(written.year, month) < 31)
    .chain(month => fc.integer({min: daysInMonth(written.year, month) + 1, max: 31}).map(day => ({...written, month, day}))),
  fc.constant({...written, hour: 24, minute: 0, second: 0, fraction: written.fraction === null ? null : `000`}),
)).map(spell);

/** A valid spelling of `ms` with one part made wrong: by construction, not a timestamp. */
function misspellings(ms: number): fc.Arbitrary<string> {
  return writtenAt(ms).chain(written => {
    const text = spell(written);
    const [date, time] = text.split(`T`);
    const wrong = (parts: Partial<Written>) => fc.constant(spell({...written, ...parts}));
    return fc.oneof(
      calendarOverflow,
      fc.oneof(fc.constant(0), fc.integer({min: 13, max: 99})).chain(month => wrong({month})),
      wrong({day: 0}),
      fc.integer({min: 32, max: 99}).chain(day => wrong({day})),
      fc.integer({min: 25, max: 99}).chain(hour => wrong({hour})),
      fc.integer({min: 60, max: 99}).chain(minute => wrong({minute})),
      fc.integer({min: 60, max: 99}).chain(second => wrong({second})),
      fc.integer({min: 24 * 60, max: 99 * 60 + 59}).chain(offset => wrong({zone: zoneOf(offset)})),
      fc.integer({min: 60, max: 99}).chain(minutes => wrong({zone: `+01:${minutes}`})),
      fc.constantFrom(``, `+0100`, `+01`, `UTC`, `z`, ` Z`).chain(zone => wrong({zone})),
      wrong({second: written.second ?? 0, fraction: ``}),
      fc.constant(`${date}T${pad(written.hour)}${written.zone}`),
      fc.constantFrom(` `, `t`, `_`, ``).map(separator => `${date}${separator}${time}`),
      fc.constantFrom(`+00`, `-00`, `0`).map(prefix => `${prefix}${text}`),
      fc.constant(text.slice(2)),
      fc.constantFrom(` `, `\n`, `\u0000`).chain(space => fc.constantFrom(`${space}${text}`, `${text}${space}`)),
    );
  });
}

/** What a string must not look like to be garbage for certain: anything timestamp-shaped comes from the generators above. */
const TIMESTAMP_LIKE = /\d{4}-\d\d-\d\d[Tt ]\d\d/;
const garbage = (value: unknown) => typeof value !== `string` || !TIMESTAMP_LIKE.test(value);

/**
 * Independently of the reader: the instant a timestamp names, when its parts name a real calendar time (set on a
 * calendar and read back, they come back the same); null otherwise.
 */
function instantNamed(text: string): number | null {
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?(?:Z|([+-])(\d\d):(\d\d))$/.exec(text);
  if (match === null)
    return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(part => Number(part ?? 0));
  const [zoneHours, zoneMinutes] = [Number(match[9] ?? 0), Number(match[10] ?? 0)];
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, Number((match[7] ?? ``).padEnd(3, `0`).slice(0, 3)));
  const readBack = [local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate(), local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()];
  if (readBack.join() !== [year, month, day, hour, minute, second].join() || zoneHours > 23 || zoneMinutes > 59)
    return null;
  return local.getTime() - (match[8] === `-` ? -1 : 1) * (zoneHours * 60 + zoneMinutes) * MINUTE;
}

/** Spellings of an (old) instant that are NOT a full, valid ISO-8601 timestamp: what a garbled time map holds. */
function notIsoSpellings(ms: number) {
  const iso = new Date(ms).toISOString();
  return fc.oneof(
    misspellings(ms),
    fc.constant(iso.slice(0, 10)), // a date without a time
    fc.constant(iso.slice(0, 19)), // no zone: local time of whoever reads it
    fc.constant(iso.slice(0, 16)),
    fc.constant(iso.toLowerCase()),
    fc.constant(` ${iso}`),
    fc.constant(`${iso} `),
    fc.constant(iso.replace(`T`, ` `)),
    fc.constant(new Date(ms).toUTCString()),
    fc.constant(new Date(ms).toString()),
    fc.constant(String(ms)),
    fc.constant(ms), // epoch milliseconds as a number
    fc.constant(ms / 1000), // epoch seconds
    fc.constant(new Date(ms)), // a Date object (never in JSON, but the reader must not care)
    fc.constant({at: iso}),
    fc.constant([iso]),
    fc.constant(Object(iso)), // a boxed String
    fc.constantFrom(`yesterday`, `last week`, `0`, `1`, `-1`, `Infinity`, `NaN`, `null`, `true`, ``, ` `),
    fc.constantFrom(null, undefined, true, false, 0, -1, Number.NaN, Number.POSITIVE_INFINITY),
    anyString.filter(garbage),
    fc.anything().filter(garbage),
  );
}

const periodMs = fc.integer({min: 1, max: 52 * 7}).map(days => days * DAY).chain(whole => fc.oneof(fc.constant(whole), fc.integer({min: MINUTE, max: whole})));

/** A publish time younger than the period (by at least a second, as a spelling may drop milliseconds), or in the future. */
const youngTime = (period: number) => fc.integer({min: NOW.getTime() - period + 1000, max: NOW.getTime() + 10 * YEAR});
/** An old time: what a forged or garbled entry would like the version to look like. */
const oldTime = fc.integer({min: Date.UTC(2000, 0, 1), max: ago(60 * DAY).getTime()});

// --- parseDuration -------------------------------------------------------------------------------

describe(`parseDuration (property)`, () => {
  it(`never throws, and returns null or a non-negative safe integer`, () => {
    fc.assert(fc.property(fc.oneof(anyString, fc.string({unit: `grapheme`, maxLength: 60})), text => {
      const ms = parseDuration(text);
      return ms === null || (Number.isSafeInteger(ms) && ms >= 0);
    }), RUNS);
  });

  it(`reads back every <n><unit> it advertises, and a bare number as minutes`, () => {
    const unit = fc.constantFrom(...(Object.keys(UNIT_MS) as Array<keyof typeof UNIT_MS>));
    fc.assert(fc.property(unit.chain(u => fc.tuple(fc.constant(u), fc.nat({max: Math.floor(Number.MAX_SAFE_INTEGER / UNIT_MS[u])}))), fc.constantFrom(``, ` `, `  `), ([u, n], space) => {
      expect(parseDuration(`${n}${space}${u}`)).toBe(n * UNIT_MS[u]);
      expect(parseDuration(`${space}${n}${u}${space}`)).toBe(n * UNIT_MS[u]);
      if (n * MINUTE <= Number.MAX_SAFE_INTEGER)
        expect(parseDuration(String(n))).toBe(n * MINUTE);
    }), RUNS);
  });

  it(`rounds a decimal amount to the nearest millisecond, and refuses what does not fit`, () => {
    fc.assert(fc.property(fc.nat(10_000), fc.nat(999), fc.constantFrom(`m`, `h`, `d`, `w`), (whole, fraction, u) => {
      const text = `${whole}.${pad(fraction, 3)}${u}`;
      expect(parseDuration(text)).toBe(Math.round(Number(`${whole}.${pad(fraction, 3)}`) * UNIT_MS[u as keyof typeof UNIT_MS]));
    }), FEW_RUNS);
    fc.assert(fc.property(fc.stringMatching(/^[1-9]\d{16,30}$/), fc.constantFrom(`h`, `d`, `w`), (digits, u) => {
      expect(parseDuration(`${digits}${u}`)).toBeNull();
    }), FEW_RUNS);
  });

  it(`never reads a signed, exponent, capitalised or unknown-unit spelling`, () => {
    fc.assert(fc.property(fc.nat(1000), fc.constantFrom(`-`, `+`), fc.constantFrom(`m`, `h`, `d`, `w`, ``), (n, sign, u) => {
      expect(parseDuration(`${sign}${n}${u}`)).toBeNull();
      expect(parseDuration(`${n}e1${u}`)).toBeNull();
      expect(parseDuration(`${n}${u.toUpperCase() || `s`}`)).toBeNull();
    }), FEW_RUNS);
  });
});

// --- parsePattern / matchesPattern ---------------------------------------------------------------

describe(`parsePattern / matchesPattern (property)`, () => {
  it(`never throws on arbitrary text, names and versions`, () => {
    fc.assert(fc.property(fc.oneof(anyString, range, packageName, fc.tuple(packageName, anyString).map(([n, r]) => `${n}@${r}`)), anyString, fc.oneof(anyString, version), (source, name, v) => {
      const pattern = parsePattern(source);
      if (pattern !== null)
        expect(typeof matchesPattern(pattern, name, v)).toBe(`boolean`);
    }), RUNS);
  });

  it(`a name without glob characters or range matches exactly itself, at any version`, () => {
    fc.assert(fc.property(packageName, packageName, fc.oneof(version, anyString), (name, other, v) => {
      const pattern = parsePattern(name);
      expect(pattern, name).not.toBeNull();
      expect(matchesPattern(pattern!, name, v)).toBe(true);
      if (other !== name)
        expect(matchesPattern(pattern!, other, v)).toBe(false);
    }), RUNS);
  });

  it(`a pattern with a range matches a version exactly when semver.satisfies says so`, () => {
    fc.assert(fc.property(packageName, range, version, (name, r, v) => {
      const pattern = parsePattern(`${name}@${r}`);
      expect(pattern, `${name}@${r}`).not.toBeNull();
      const matched = matchesPattern(pattern!, name, v);
      // The security direction first: never matches (so never exempts) a version outside the range.
      if (matched)
        expect(semver.satisfies(v, r)).toBe(true);
      expect(matched).toBe(semver.satisfies(v, r));
    }), RUNS);
  });

  it(`a range pattern never matches a version that is not valid semver`, () => {
    fc.assert(fc.property(packageName, range, anyString.filter(text => semver.valid(text) === null), (name, r, v) => {
      expect(matchesPattern(parsePattern(`${name}@${r}`)!, name, v)).toBe(false);
    }), FEW_RUNS);
  });

  it(`* never crosses a scope, and @scope/* never matches outside its scope`, () => {
    fc.assert(fc.property(bareName, bareName, bareName, version, (scope, otherScope, name, v) => {
      expect(matchesPattern(parsePattern(`*`)!, `@${scope}/${name}`, v)).toBe(false);
      const scoped = parsePattern(`@${scope}/*`)!;
      expect(matchesPattern(scoped, `@${scope}/${name}`, v)).toBe(true);
      expect(matchesPattern(scoped, name, v)).toBe(false);
      if (otherScope !== scope)
        expect(matchesPattern(scoped, `@${otherScope}/${name}`, v)).toBe(false);
    }), FEW_RUNS);
  });
});

// --- readPackument and the release-age decision --------------------------------------------------

const timeValue = fc.oneof(
  anyString,
  fc.date({noInvalidDate: false}).map(date => Number.isNaN(date.getTime()) ? `Invalid Date` : date.toISOString()),
  fc.date({noInvalidDate: false}),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.boolean(),
  fc.object({maxDepth: 2}),
  fc.array(fc.anything({maxDepth: 1}), {maxLength: 3}),
);

const packumentLike = fc.record({
  name: fc.oneof(packageName, fc.anything({maxDepth: 1})),
  'dist-tags': fc.oneof(fc.dictionary(fc.string({maxLength: 8}), fc.oneof(version, fc.anything({maxDepth: 1})), {maxKeys: 3}), fc.anything({maxDepth: 1})),
  versions: fc.oneof(
    fc.dictionary(fc.oneof(version, fc.string({maxLength: 8}), fc.constantFrom(`__proto__`, `constructor`, `toString`)), fc.anything({maxDepth: 1}), {maxKeys: 5}),
    fc.anything({maxDepth: 2}),
  ),
  time: fc.oneof(
    fc.dictionary(fc.oneof(version, fc.string({maxLength: 8}), fc.constantFrom(`created`, `modified`, `__proto__`)), timeValue, {maxKeys: 6}),
    fc.anything({maxDepth: 2}),
  ),
}, {requiredKeys: []});

/** The reader's whole contract: a MalformedPackumentError or a consistent answer that only repeats times it was given as strings. */
function checkReader(document: unknown) {
  let read: ReturnType<typeof readPackument>;
  try {
    read = readPackument(document);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedPackumentError);
    return;
  }
  const doc = document as {versions: Record<string, unknown>, time?: unknown};
  expect([...read.versions].sort()).toEqual(Object.keys(doc.versions).sort());
  for (const [tag, tagged] of Object.entries(read.distTags))
    expect(typeof tag === `string` && typeof tagged === `string`).toBe(true);
  const probes = [...read.versions, `0.0.0-not-listed`, `__proto__`, `constructor`];
  for (const probe of probes) {
    const time = read.timeOf(probe);
    if (!read.versions.has(probe)) {
      expect(time).toEqual({kind: `unlisted`});
      continue;
    }
    expect([`known`, `missing`]).toContain(time.kind);
    if (time.kind === `known`) {
      const given = (doc.time as Record<string, unknown>)[probe];
      expect(Object.hasOwn(doc.time as object, probe)).toBe(true);
      expect(typeof given).toBe(`string`);
      expect(time.at.getTime()).toBe(instantNamed(given as string));
    }
  }
}

describe(`readPackument (property)`, () => {
  it(`on any value: throws MalformedPackumentError or returns a consistent reading`, () => {
    fc.assert(fc.property(fc.anything({withNullPrototype: true, withDate: true, withBoxedValues: true, withMap: true, withSet: true, withSparseArray: true, withObjectString: true}), checkReader), RUNS);
  });

  it(`on packument-like documents with random time maps: the same`, () => {
    fc.assert(fc.property(packumentLike, checkReader), RUNS);
    fc.assert(fc.property(fc.jsonValue().map(value => JSON.parse(JSON.stringify({versions: {'1.0.0': {}}, time: {'1.0.0': value}}))), checkReader), FEW_RUNS);
  });

  it(`a time that is not a full ISO-8601 timestamp is never known`, () => {
    fc.assert(fc.property(version, oldTime.chain(notIsoSpellings), (v, spelled) => {
      const read = readPackument({versions: {[v]: {}}, time: {[v]: spelled}});
      expect(read.timeOf(v).kind).toBe(`missing`);
    }), RUNS);
  });

  it(`every valid spelling of an instant, in any zone, reads back as that instant`, () => {
    fc.assert(fc.property(version, instant.chain(ms => fc.tuple(fc.constant(ms), isoSpellings(ms))), (v, [ms, spelled]) => {
      const read = readPackument({versions: {[v]: {}}, time: {[v]: spelled}});
      expect(read.timeOf(v)).toEqual({kind: `known`, at: new Date(ms)});
    }), RUNS);
  });

  it(`a valid spelling with one part made wrong is never known`, () => {
    fc.assert(fc.property(version, instant.chain(misspellings), (v, spelled) => {
      const read = readPackument({versions: {[v]: {}}, time: {[v]: spelled}});
      expect(read.timeOf(v).kind, spelled).toBe(`missing`);
    }), RUNS);
  });

  // `Date` alone rolls 2021-02-30 over to 2021-03-02, and 24:00 over to the next day; such a time must count as
  // missing, not be guessed at. Every other part is valid, so only the calendar check can refuse it.
  it(`a timestamp-shaped time for a day or an hour that does not exist is never known`, () => {
    fc.assert(fc.property(version, calendarOverflow, (v, spelled) => {
      expect(Number.isFinite(Date.parse(spelled)), spelled).toBe(true);
      const read = readPackument({versions: {[v]: {}}, time: {[v]: spelled}});
      expect(read.timeOf(v).kind, spelled).toBe(`missing`);
    }), RUNS);
  });

  it(`no spelling of a young version's time, valid or garbled, makes assessRelease call it eligible`, () => {
    const scenario = periodMs.chain(period => fc.record({
      period: fc.constant(period),
      missingPublishTime: fc.constantFrom(`reject` as const, `allow` as const),
      name: packageName,
      version,
      // What the registry's time map holds for the version: the true (young) time in any valid spelling, or an old
      // time in a spelling that is not a valid timestamp, or garbage; other versions around it with any times.
      spelled: youngTime(period).chain(truth => fc.oneof(isoSpellings(truth), oldTime.chain(notIsoSpellings), timeValue.filter(garbage))),
      others: fc.dictionary(version, timeValue, {maxKeys: 4}),
    }));
    fc.assert(fc.property(scenario, ({period, missingPublishTime, name, version: v, spelled, others}) => {
      const policy = makePolicy({periodMs: period, periodText: `${period}ms`, missingPublishTime});
      const document = {name, versions: Object.fromEntries([...Object.keys(others), v].map(key => [key, {}])), time: {...others, [v]: spelled}};
      const publishTime = readPackument(document).timeOf(v);
      const assessment = assessRelease(name, v, publishTime, policy, NOW);
      expect(assessment.status).not.toBe(`eligible`);
      if (missingPublishTime === `reject`)
        expect(isEligible(assessment)).toBe(false);
    }), {...RUNS, numRuns: 2000});
  });

  it(`a young time survives a JSON round trip of the packument (what the registry sends) and is still quarantined`, () => {
    fc.assert(fc.property(periodMs.chain(period => fc.tuple(fc.constant(period), youngTime(period).chain(isoSpellings))), version, ([period, spelled], v) => {
      const document = JSON.parse(JSON.stringify({versions: {[v]: {}}, time: {[v]: spelled}}));
      const publishTime = readPackument(document).timeOf(v);
      expect(publishTime.kind).toBe(`known`);
      expect(assessRelease(`pkg`, v, publishTime, makePolicy({periodMs: period}), NOW).status).toBe(`quarantined`);
    }), FEW_RUNS);
  });
});
