import {execFileSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';

import {agoISO} from '../../scripts/lib/registry.mjs';
import {sarifValidator} from '../sarifSchema';
import {beforeTheAttack, lockfileWrittenWithoutPlugin, projectWith} from './support';

const APP = {name: `app`, version: `1.0.0`, private: true};
const USES_AXIOS_AND_LIB = {...APP, dependencies: {axios: `^1.14.0`, lib: `^1.0.0`}};
const AGED = {publishedAt: agoISO({days: 20})};
/** A postinstall whose command tries to end the annotation's line and start workflow commands of its own. */
const INJECTING_SCRIPT = `node -e "0"\n::error file=README.md,line=1::injected 100%0A ##[add-mask]lib`;

/** The default value, but set by a variable: a reviewer must see that the environment can weaken the policy. */
const SET_BY_THE_ENVIRONMENT = {YARN_QUARANTINE_MISSING_PUBLISH_TIME: `reject`};

const git = (cwd: string, ...args: Array<string>) => execFileSync(`git`, [`-c`, `user.name=test`, `-c`, `user.email=test@example.test`, `-c`, `init.defaultBranch=main`, ...args], {cwd, stdio: `pipe`}).toString();

/** What each finding of the pull request is, and the key of the yarn.lock entry it must point at. */
const EXPECTED = [
  {rule: `release-age`, kind: `quarantined`, package: `axios`, key: `"axios@npm:^1.14.0":`},
  {rule: `release-age`, kind: `quarantined`, package: `plain-crypto-js`, key: `"plain-crypto-js@npm:^4.2.1":`},
  {rule: `new-dependency`, kind: `new-sub-dependency`, package: `plain-crypto-js`, key: `"plain-crypto-js@npm:^4.2.1":`},
  {rule: `lockfile`, kind: `checksum-changed`, package: `follow-redirects`, key: `"follow-redirects@npm:^1.15.0":`},
  {rule: `install-scripts`, kind: `install-script-changed`, package: `lib`, key: `"lib@npm:^1.0.0":`},
];

/** The 1-based line of an entry's key, read from the file's text. */
function lineOf(lockfile: string, key: string) {
  const index = lockfile.split(`\n`).indexOf(key);
  expect(index, `${key} in\n${lockfile}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

/**
 * A project in the `app` folder of a git repository, its base commit on axios 1.14.0 and lib 1.0.0;
 * then a pull request's yarn.lock: axios 1.14.1 with plain-crypto-js (2 hours old, as in the attack),
 * lib 1.0.1 with a postinstall, and follow-redirects kept with another checksum.
 */
async function pullRequestWithFindingsOfEveryRule() {
  const {registry, compromise} = await beforeTheAttack();
  registry.packages.addPackage({name: `lib`, versions: {'1.0.0': AGED}});
  const project = await projectWith({registry, manifest: USES_AXIOS_AND_LIB, parentYarnrc: {}});
  const installed = await project.install();
  expect(installed.code, installed.output).toBe(0);
  const repository = project.parent!;
  git(repository, `init`, `-q`);
  git(repository, `add`, `app/package.json`, `app/yarn.lock`);
  git(repository, `commit`, `-q`, `-m`, `base`);

  const pullRequest = async () => {
    compromise();
    registry.packages.addVersion(`lib`, `1.0.1`, {...AGED, scripts: {postinstall: INJECTING_SCRIPT}});
    const written = await lockfileWrittenWithoutPlugin(registry, USES_AXIOS_AND_LIB);
    const lockfile = written.replace(/("follow-redirects@npm:\^1\.15\.0":\n(?: {2}.*\n)*? {2}checksum: 10c0\/)[0-9a-f]+/, `$1${`0`.repeat(128)}`);
    expect(lockfile).not.toBe(written);
    await project.writeFile(`yarn.lock`, lockfile);
    return lockfile;
  };
  return {project, pullRequest};
}

describe(`yarn quarantine check --format sarif`, () => {
  it(`prints a schema-valid SARIF log, one result per finding on its entry's line in yarn.lock; --output writes it (exit 1) and prints the text report`, async () => {
    const {project, pullRequest} = await pullRequestWithFindingsOfEveryRule();
    const validate = sarifValidator();

    const clean = await project.run([`quarantine`, `check`, `--format`, `sarif`, `--output`, `clean.sarif`]);
    expect(clean.code, clean.output).toBe(0);
    const cleanLog = JSON.parse(await project.readFile(`clean.sarif`));
    expect(validate(cleanLog)).toEqual([]);
    expect(cleanLog.runs[0].results).toEqual([]);

    const lockfile = await pullRequest();
    const result = await project.run([`quarantine`, `check`, `--since`, `HEAD`, `--format`, `sarif`]);

    expect(result.code, result.output).toBe(1);
    const log = JSON.parse(result.stdout);
    expect(validate(log)).toEqual([]);
    const [run] = log.runs;
    expect(run.tool.driver).toMatchObject({name: `yarn-plugin-quarantine`, version: expect.stringMatching(/^\d+\.\d+\.\d+/)});
    expect(run.tool.driver.rules.map((rule: {id: string}) => rule.id)).toEqual([`release-age`, `new-dependency`, `lockfile`, `install-scripts`, `trust`]);
    const located = run.results.map((each: any) => ({
      rule: each.ruleId,
      kind: each.properties.kind,
      package: each.properties.package,
      level: each.level,
      uri: each.locations[0].physicalLocation.artifactLocation.uri,
      line: each.locations[0].physicalLocation.region.startLine,
    }));
    expect(located).toEqual(expect.arrayContaining(EXPECTED.map(({key, ...finding}) => ({...finding, level: `error`, uri: `app/yarn.lock`, line: lineOf(lockfile, key)}))));
    expect(located).toHaveLength(EXPECTED.length);
    // The text report goes to stderr, so stdout is the log alone.
    expect(result.stderr).toContain(`Quarantine check: 5 violations`);

    const written = await project.run([`quarantine`, `check`, `--since`, `HEAD`, `--format`, `sarif`, `--output`, `reports/quarantine.sarif`], {env: SET_BY_THE_ENVIRONMENT});

    expect(written.code, written.output).toBe(1);
    const fromFile = JSON.parse(await project.readFile(`reports/quarantine.sarif`));
    expect(validate(fromFile)).toEqual([]);
    expect(fromFile.runs[0].results.map((each: any) => [each.ruleId, each.locations[0].physicalLocation.region.startLine, each.partialFingerprints]))
      .toEqual(run.results.map((each: any) => [each.ruleId, each.locations[0].physicalLocation.region.startLine, each.partialFingerprints]));
    // Each result's message is the line the text report prints for it.
    for (const each of fromFile.runs[0].results)
      expect(written.stdout).toContain(`YN0000: ${each.message.text}\n`);
    expect(written.stdout).toContain(`Quarantine check: 5 violations`);
    expect(fromFile.runs[0].invocations[0].toolExecutionNotifications).toEqual([{level: `warning`, message: {text: `Policy: quarantineMissingPublishTime reject (YARN_QUARANTINE_MISSING_PUBLISH_TIME): set by the environment, not by the repository`}}]);
  });
});

describe(`yarn quarantine check --format github`, () => {
  it(`prints one workflow command per finding on its entry's line, that no install script can break out of, then the summary; a setting from the environment is a warning of its own`, async () => {
    const {project, pullRequest} = await pullRequestWithFindingsOfEveryRule();
    const lockfile = await pullRequest();

    const result = await project.run([`quarantine`, `check`, `--since`, `HEAD`, `--format`, `github`], {env: SET_BY_THE_ENVIRONMENT});

    expect(result.code, result.output).toBe(1);
    const lines = result.stdout.trimEnd().split(`\n`);
    const commands = lines.filter(line => line.startsWith(`::`));
    // A setting from outside the repository is named on the run, as the text header names it.
    expect(commands[0]).toBe(`::warning title=quarantine policy::Policy: quarantineMissingPublishTime reject (YARN_QUARANTINE_MISSING_PUBLISH_TIME): set by the environment, not by the repository`);
    expect(commands.slice(1)).toHaveLength(EXPECTED.length);
    for (const {rule, package: name, key} of EXPECTED)
      expect(commands, `${rule} ${name}`).toContainEqual(expect.stringMatching(new RegExp(`^::error file=app/yarn\\.lock,line=${lineOf(lockfile, key)},title=${rule}: ${name}::${name.replace(/[.]/g, `\\.`)}@npm:`)));
    const script = commands.find(command => command.includes(`title=install-scripts: lib::`))!;
    // The line break stays escaped inside the message, and the literal %0A cannot turn into one.
    expect(script).toContain(`adds a postinstall script (node -e "0"\\u000a::error file=README.md,line=1::injected 100%250A #\\u0023[add-mask]lib)`);
    // The runner also obeys the older ##[command] anywhere in a line: no output of check carries one.
    for (const format of [`text`, `github`, `sarif`]) {
      const output = await project.run([`quarantine`, `check`, `--since`, `HEAD`, `--format`, format]);
      expect(output.output, format).toContain(`[add-mask]lib`);
      expect(output.output, format).not.toContain(`##[`);
    }
    expect(lines.filter(line => line.includes(`::error file=README.md`) && !line.startsWith(`::error file=app/yarn.lock,`))).toEqual([]);
    expect(lines.at(-1)).toBe(`Quarantine check: 5 violations: 1 of the lockfile rule (1 checksum changed), 2 of the release-age rule (2 quarantined), 1 of the new sub-dependency rule (1 new sub-dependency), 1 of the install-script rule (1 install script added or changed)`);
    // The policy header goes to stderr; the findings are not printed a second time.
    expect(result.stderr).toContain(`Policy: quarantinePeriod 3d (default)`);
    expect(result.stderr).not.toContain(`is in quarantine`);
  });
});

describe(`yarn quarantine check output options`, () => {
  it.each([
    [`an unknown --format`, [`--format`, `yaml`, `--output`, `out.sarif`], `--format yaml: unknown format. Fix: pass one of text, json, sarif, github`],
    [`--json with another --format`, [`--json`, `--format`, `sarif`, `--output`, `out.sarif`], `--json and --format sarif disagree: --json is --format json. Fix: pass one of them`],
    [`--output with --format github`, [`--format`, `github`, `--output`, `out.sarif`], `--output writes the SARIF log of --format sarif; --format github prints workflow commands`],
    [`--output with --json`, [`--json`, `--output`, `out.sarif`], `--output writes the SARIF log of --format sarif; --format json prints to stdout; redirect it to a file`],
  ])(`exits 2 on %s, naming the option, and writes nothing`, async (_, args, message) => {
    const project = await projectWith({manifest: APP});

    const result = await project.run([`quarantine`, `check`, ...args]);

    expect(result.code, result.output).toBe(2);
    expect(result.output).toContain(message);
    expect(result.output).not.toContain(`Policy:`);
    expect(project.exists(`out.sarif`)).toBe(false);
    // Asked for JSON, a consumer gets the error as JSON too.
    if (args.includes(`--json`) || args.includes(`json`))
      expect(result.stdout.trim().split(`\n`).map(line => JSON.parse(line).type)).toEqual([`error`]);
  });

  it(`writes no SARIF log, to --output or stdout, when the project cannot be evaluated (exit 2)`, async () => {
    const project = await projectWith({manifest: APP});

    const written = await project.run([`quarantine`, `check`, `--format`, `sarif`, `--output`, `out.sarif`]);
    expect(written.code, written.output).toBe(2);
    expect(written.output).toContain(`there is no yarn.lock to check`);
    expect(project.exists(`out.sarif`)).toBe(false);

    const printed = await project.run([`quarantine`, `check`, `--format`, `sarif`]);
    expect(printed.code, printed.output).toBe(2);
    expect(printed.stdout).toBe(``);
    expect(printed.stderr).toContain(`there is no yarn.lock to check`);
  });
});

describe(`text lines a pull request can write into`, () => {
  it(`keep a line break in a locked tarball URL on one line, so no line of check or install can start a workflow command`, async () => {
    const {registry} = await beforeTheAttack();
    const project = await projectWith({registry, manifest: {...APP, dependencies: {axios: `^1.14.0`}}});
    expect((await project.install()).code).toBe(0);
    const forged = `${registry.url}/axios/-/axios-1.14.0.tgz\n::add-mask::plain-crypto-js\n::error file=README.md,line=1::forged`;
    const lockfile = (await project.lockfile())!.replace(`resolution: "axios@npm:1.14.0"`, `resolution: "axios@npm:1.14.0::__archiveUrl=${encodeURIComponent(forged)}"`);
    expect(lockfile).toContain(`__archiveUrl=`);
    await project.writeFile(`yarn.lock`, lockfile);

    for (const args of [[`quarantine`, `check`], [`quarantine`, `check`, `--format`, `sarif`, `--output`, `quarantine.sarif`], [`quarantine`, `check`, `--format`, `github`], [`install`]]) {
      const result = await project.run(args);
      expect(result.code, result.output).toBe(1);
      expect(result.output).toContain(`unconfirmed`);
      expect(result.output, args.join(` `)).not.toMatch(/^::(add-mask|error file=README)/m);
    }
    const text = await project.run([`quarantine`, `check`]);
    expect(text.output).toContain(`axios-1.14.0.tgz\\u000a::add-mask::plain-crypto-js\\u000a::error file=README.md,line=1::forged`);
  });
});

describe(`machine-read outputs on a terminal with colours and hyperlinks`, () => {
  it(`carry neither: JSON messages, SARIF and workflow commands are plain text`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    compromise();
    const manifest = {...APP, dependencies: {axios: `^1.14.0`}};
    const lockfile = await lockfileWrittenWithoutPlugin(registry, {...manifest, dependencies: {axios: `1.14.1`}});
    const project = await projectWith({registry, manifest: {...manifest, dependencies: {axios: `1.14.1`}}, files: {'yarn.lock': lockfile},
      yarnrc: {quarantineExemptPackages: [`left-pad until 2026-01-01`]}});
    const terminal = {YARN_ENABLE_COLORS: `1`, YARN_ENABLE_HYPERLINKS: `1`, FORCE_COLOR: `1`};
    // The text report itself does use them here, which is what makes the other outputs worth checking.
    expect((await project.run([`quarantine`, `check`], {env: terminal})).rawStdout).toMatch(/\u001b\]8;;https?:/);

    for (const args of [[`quarantine`, `check`, `--json`], [`quarantine`, `check`, `--format`, `sarif`], [`quarantine`, `check`, `--format`, `github`], [`install`, `--json`]]) {
      const result = await project.run(args, {env: terminal});
      expect(result.code, result.output).toBe(1);
      expect(result.rawStdout, args.join(` `)).toContain(`quarantineExemptPackages`);
      expect(result.rawStdout, args.join(` `)).not.toContain(`\u001b`);
    }
  });
});
