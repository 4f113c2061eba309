import type {Finding, FindingKind} from '../../rules/finding';
import type {Phrases} from './phrases';

export type LineOptions = {
  /** False where the line follows the package's name already (`why`). */
  withSubject: boolean;
};

/** How one finding kind is told: its line, and its name in the summary count, for one finding and for several. */
export type KindMessage = {
  line: (finding: Finding, say: Phrases, options: LineOptions) => string;
  one: string;
  many: string;
};

export type KindMessages = Partial<Record<FindingKind, KindMessage>>;
