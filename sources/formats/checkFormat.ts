export const CHECK_FORMATS = [`text`, `json`, `sarif`, `github`] as const;

export type CheckFormat = typeof CHECK_FORMATS[number];

export type CheckOutput = {format: CheckFormat, output: string | null};

/**
 * `check`'s output options, or why they cannot be honoured: `--json` is `--format json`; `--output`
 * takes the SARIF log, which CI uploads as a file, while the text report goes to stdout.
 */
export function chooseCheckOutput({format, json, output}: {format?: string, json: boolean, output?: string}): CheckOutput | {error: string} {
  const accepted = CHECK_FORMATS.join(`, `);
  if (typeof format !== `undefined` && !(CHECK_FORMATS as ReadonlyArray<string>).includes(format))
    return {error: `--format ${format}: unknown format. Fix: pass one of ${accepted}`};
  if (json && typeof format !== `undefined` && format !== `json`)
    return {error: `--json and --format ${format} disagree: --json is --format json. Fix: pass one of them`};
  const chosen = (json ? `json` : format ?? `text`) as CheckFormat;
  if (typeof output === `undefined`)
    return {format: chosen, output: null};
  if (output.trim() === ``)
    return {error: `--output "${output}": no file given (an unset CI variable?). Fix: pass a path, e.g. --output quarantine.sarif`};
  if (chosen !== `sarif`) {
    const why = chosen === `github`
      ? `--format github prints workflow commands, which GitHub Actions reads only from the step's output`
      : `--format ${chosen} prints to stdout; redirect it to a file`;
    return {error: `--output writes the SARIF log of --format sarif; ${why}. Fix: drop --output, or pass --format sarif`};
  }
  return {format: chosen, output};
}
