import {describe, expect, it} from 'vitest';

import {chooseCheckOutput} from '../../sources/formats/checkFormat';
import type {LocatedFinding} from '../../sources/formats/locatedFinding';
import {FINGERPRINT_KEY, fingerprintOf, sarifLog} from '../../sources/formats/sarif';
import {escapeData, escapeProperty, findingAnnotation, inAnnotationOrder, runAnnotation} from '../../sources/formats/workflowCommands';
import {type Finding, makeFinding, type Rule} from '../../sources/rules/finding';
import {sarifValidator} from '../sarifSchema';

const quarantined = makeFinding({rule: `release-age`, kind: `quarantined`, severity: `error`, name: `axios`, version: `1.14.1`, locked: true, ageMs: 7_200_000});
const located = (finding: Finding, message = `a line`, line = 12): LocatedFinding => ({finding, message, line, fields: {kind: finding.kind, package: finding.name}});

const ONE_PER_RULE: Record<Rule, Finding> = {
  [`release-age`]: quarantined,
  [`new-dependency`]: makeFinding({rule: `new-dependency`, kind: `new-sub-dependency`, severity: `warning`, name: `plain-crypto-js`, version: `4.2.1`, range: `^4.2.1`}),
  [`lockfile`]: makeFinding({rule: `lockfile`, kind: `checksum-changed`, severity: `error`, name: `lib`, found: `lib@npm:1.0.0`}),
  [`install-scripts`]: makeFinding({rule: `install-scripts`, kind: `install-script-changed`, severity: `info`, name: `@scope/native`, version: `2.0.0`, scriptsRun: false}),
  [`trust`]: makeFinding({rule: `trust`, kind: `trust-downgrade`, severity: `error`, name: `axios`, version: `1.14.1`, previousVersion: `1.14.0`, trust: {rank: 0, previousRank: 2, previousPublishedAt: null, against: `release-line`, oldLocked: false}}),
};

describe(`chooseCheckOutput`, () => {
  it.each<[string, {format?: string, json: boolean, output?: string}, unknown]>([
    [`text by default`, {json: false}, {format: `text`, output: null}],
    [`--json as --format json`, {json: true}, {format: `json`, output: null}],
    [`--json with --format json`, {json: true, format: `json`}, {format: `json`, output: null}],
    [`sarif into a file`, {json: false, format: `sarif`, output: `out/q.sarif`}, {format: `sarif`, output: `out/q.sarif`}],
    [`github`, {json: false, format: `github`}, {format: `github`, output: null}],
  ])(`takes %s`, (_, options, expected) => {
    expect(chooseCheckOutput(options)).toEqual(expected);
  });

  it.each<[string, {format?: string, json: boolean, output?: string}, string]>([
    [`an unknown format, naming the option and the accepted values`, {json: false, format: `yaml`}, `--format yaml: unknown format. Fix: pass one of text, json, sarif, github`],
    [`a format in another case`, {json: false, format: `SARIF`}, `--format SARIF: unknown format. Fix: pass one of text, json, sarif, github`],
    [`--json with another format`, {json: true, format: `sarif`}, `--json and --format sarif disagree: --json is --format json. Fix: pass one of them`],
    [`--output with github`, {json: false, format: `github`, output: `q.txt`}, `--output writes the SARIF log of --format sarif; --format github prints workflow commands, which GitHub Actions reads only from the step's output. Fix: drop --output, or pass --format sarif`],
    [`--output with json`, {json: true, output: `q.ndjson`}, `--output writes the SARIF log of --format sarif; --format json prints to stdout; redirect it to a file. Fix: drop --output, or pass --format sarif`],
    [`--output with text`, {json: false, output: `q.txt`}, `--output writes the SARIF log of --format sarif; --format text prints to stdout; redirect it to a file. Fix: drop --output, or pass --format sarif`],
    [`an empty --output`, {json: false, format: `sarif`, output: ``}, `--output "": no file given (an unset CI variable?). Fix: pass a path, e.g. --output quarantine.sarif`],
  ])(`refuses %s`, (_, options, error) => {
    expect(chooseCheckOutput(options)).toEqual({error});
  });
});

describe(`workflow command escaping`, () => {
  it.each([
    [`plain text`, `axios@npm:1.14.1 is in quarantine`, `axios@npm:1.14.1 is in quarantine`],
    [`a percent sign, first, so that no escape is read twice`, `100%0A`, `100%250A`],
    [`a line feed`, `a\n::error::b`, `a%0A::error::b`],
    [`a carriage return`, `a\r::error::b`, `a%0D::error::b`],
    [`a colon and a comma, which a message may hold`, `a: b, c::d`, `a: b, c::d`],
  ])(`escapes a message's %s`, (_, text, escaped) => {
    expect(escapeData(text)).toBe(escaped);
  });

  it.each([
    [`a path`, `packages/app/yarn.lock`, `packages/app/yarn.lock`],
    [`a comma, which would start another property`, `a,line=1`, `a%2Cline=1`],
    [`a colon, of which two would end the properties`, `a::b`, `a%3A%3Ab`],
    [`a line break and a percent sign`, `50%\r\n`, `50%25%0D%0A`],
  ])(`escapes a property's %s`, (_, text, escaped) => {
    expect(escapeProperty(text)).toBe(escaped);
  });
});

describe(`findingAnnotation`, () => {
  it.each<[string, Finding, string, string]>([
    [`an error`, quarantined, `yarn.lock`, `::error file=yarn.lock,line=12,title=release-age: axios::a line`],
    [`a warning`, ONE_PER_RULE[`new-dependency`], `yarn.lock`, `::warning file=yarn.lock,line=12,title=new-dependency: plain-crypto-js::a line`],
    [`an info line, as a notice`, ONE_PER_RULE[`install-scripts`], `yarn.lock`, `::notice file=yarn.lock,line=12,title=install-scripts: @scope/native::a line`],
    [`a jsr: package, under its jsr: name`, makeFinding({...quarantined, name: `@jsr/std__path`, protocol: `jsr:`}), `yarn.lock`, `::error file=yarn.lock,line=12,title=release-age: @std/path::a line`],
    [`a lockfile in a folder whose name has a comma and a colon`, quarantined, `a,b:c/yarn.lock`, `::error file=a%2Cb%3Ac/yarn.lock,line=12,title=release-age: axios::a line`],
  ])(`writes %s`, (_, finding, path, command) => {
    expect(findingAnnotation(located(finding), path)).toBe(command);
  });

  it(`keeps a message that holds line breaks and workflow commands on one line, as one command`, () => {
    const message = `lib@npm:1.0.1: adds a postinstall script (node x.js\n::error file=README.md::injected\r\n::stop-commands::x 100%)`;
    const command = findingAnnotation(located(quarantined, message), `yarn.lock`);
    expect(command.split(/\r|\n/)).toHaveLength(1);
    expect(command).toBe(`::error file=yarn.lock,line=12,title=release-age: axios::lib@npm:1.0.1: adds a postinstall script (node x.js%0A::error file=README.md::injected%0D%0A::stop-commands::x 100%25)`);
  });

  it(`orders annotations errors first, a new package or script before a fresh version before the lockfile's own, so many lesser ones cannot push it out of view`, () => {
    const lockfileErrors = Array.from({length: 12}, (_, index) => located(makeFinding({...ONE_PER_RULE.lockfile, name: `lib${index}`})));
    const newPackage = located(makeFinding({...ONE_PER_RULE[`new-dependency`], severity: `error`}));
    const fresh = located(quarantined);
    const script = located(makeFinding({...ONE_PER_RULE[`install-scripts`], severity: `error`}));
    const notice = located(ONE_PER_RULE[`install-scripts`]);
    const ordered = inAnnotationOrder([notice, ...lockfileErrors, fresh, script, newPackage]);
    expect(ordered.slice(0, 3)).toEqual([newPackage, script, fresh]);
    expect(ordered.slice(3, 15)).toEqual(lockfileErrors);
    expect(ordered[15]).toBe(notice);
  });

  it(`writes an annotation about the run itself on no file`, () => {
    expect(runAnnotation(`warning`, `quarantine policy`, `Policy: quarantinePeriod 1h (YARN_QUARANTINE_PERIOD): set by the environment, not by the repository`))
      .toBe(`::warning title=quarantine policy::Policy: quarantinePeriod 1h (YARN_QUARANTINE_PERIOD): set by the environment, not by the repository`);
  });
});

describe(`sarifLog`, () => {
  const log = sarifLog({
    toolVersion: `0.1.0`,
    lockfilePath: `packages/my app/yarn.lock`,
    findings: Object.values(ONE_PER_RULE).map((finding, index) => located(finding, `line ${index}`, index + 5)),
    warnings: [`Policy: quarantinePeriod 1h (YARN_QUARANTINE_PERIOD): set by the environment, not by the repository`],
  });
  const [run] = log.runs;

  it(`is valid against the SARIF 2.1.0 schema`, () => {
    const validate = sarifValidator();
    expect(validate(log)).toEqual([]);
    expect(log.version).toBe(`2.1.0`);
    // The validator does reject what the schema forbids: `info` is no SARIF level.
    expect(validate({...log, runs: [{...run, results: [{...run.results[0], level: `info`}]}]})).not.toEqual([]);
  });

  it(`describes every rule once, with its fix and default level`, () => {
    expect(run.tool.driver.rules.map(rule => rule.id)).toEqual([`release-age`, `new-dependency`, `lockfile`, `install-scripts`, `trust`]);
    for (const rule of run.tool.driver.rules) {
      expect(rule.help.text).toMatch(/yarn quarantine approve|yarn up -R/);
      expect(rule.help.text).toMatch(/quarantine[A-Z]\w+/);
      expect(rule.defaultConfiguration.level).toBe(`error`);
    }
  });

  it(`gives one result per finding: its rule, its level, its line and the lockfile's path`, () => {
    expect(run.results.map(result => [result.ruleId, run.tool.driver.rules[result.ruleIndex].id, result.level, result.message.text, result.locations[0].physicalLocation.region.startLine])).toEqual([
      [`release-age`, `release-age`, `error`, `line 0`, 5],
      [`new-dependency`, `new-dependency`, `warning`, `line 1`, 6],
      [`lockfile`, `lockfile`, `error`, `line 2`, 7],
      [`install-scripts`, `install-scripts`, `note`, `line 3`, 8],
      [`trust`, `trust`, `error`, `line 4`, 9],
    ]);
    expect(run.results[0].locations[0].physicalLocation.artifactLocation.uri).toBe(`packages/my%20app/yarn.lock`);
    expect(run.results[0].properties).toEqual({kind: `quarantined`, package: `axios`});
    expect(run.invocations[0].toolExecutionNotifications).toEqual([{level: `warning`, message: {text: expect.stringContaining(`set by the environment`)}}]);
  });

  it(`fingerprints a finding by what it is about, not by when it was seen`, () => {
    expect(run.results[0].partialFingerprints[FINGERPRINT_KEY]).toBe(fingerprintOf(quarantined));
    expect(fingerprintOf({...quarantined, ageMs: 9_000_000, eligibleAt: new Date()})).toBe(fingerprintOf(quarantined));
    expect(fingerprintOf({...quarantined, version: `0.30.4`})).not.toBe(fingerprintOf(quarantined));
    expect(fingerprintOf({...quarantined, kind: `unlisted-version`})).not.toBe(fingerprintOf(quarantined));
    expect(new Set(Object.values(ONE_PER_RULE).map(fingerprintOf)).size).toBe(5);
  });
});
