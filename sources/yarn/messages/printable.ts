/**
 * Text a registry, a lockfile or a manifest supplies, as a finding's line shows it: on one line, and
 * showing what it holds. A line break would start a line of its own in a CI log, which GitHub Actions
 * reads as a workflow command (`::add-mask::`, `::error file=...`); its runner also obeys the older
 * `##[command]` anywhere in a line. A carriage return or a bidirectional override could make a
 * reviewer read another command than the one that runs.
 */
export function printable(text: string) {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, char => `\\u${char.charCodeAt(0).toString(16).padStart(4, `0`)}`)
    .replace(/##\[/g, `#\\u0023[`);
}
