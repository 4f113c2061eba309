import type {Finding} from '../rules/finding';
import {jsrNameOf} from '../rules/jsr';

/** A finding as the machine formats carry it: the text report's line (without colors), and where in yarn.lock it points. */
export type LocatedFinding = {
  finding: Finding;
  message: string;
  /** The 1-based line of the finding's entry in yarn.lock. */
  line: number;
  /** `check --json`'s fields of the finding. */
  fields: Record<string, unknown>;
};

/** The package as the project declares it: `@std/path` for a `jsr:` package, not its `@jsr/` npm name. */
export function declaredName(finding: Finding): string {
  return finding.protocol === `jsr:` ? jsrNameOf(finding.name) ?? finding.name : finding.name;
}
