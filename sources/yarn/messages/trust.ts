import {formatDuration, formatUtc} from '../../policy/duration';
import type {Finding} from '../../rules/finding';
import {LOCKED_DOWNGRADE_GRACE_MS, releaseLineOf} from '../../rules/trust';
import type {TrustRank} from '../../rules/trustEvidence';
import {fix} from './fix';
import type {KindMessages} from './kindMessage';
import type {Phrases} from './phrases';

export const trustMessages = {
  [`trust-downgrade`]: {
    one: `trust downgrade`,
    many: `trust downgrades`,
    line: (finding, say) => `${say.subject}${say.locked}: ${describeDowngrade(say, finding)}${say.via}${describeOldLocked(finding)}${trustFix(say, finding)}`,
  },
  [`trust-unknown`]: {
    one: `trust evidence not learnt`,
    many: `trust evidence not learnt`,
    line: (finding, say) => `${say.subject}${say.locked}: could not learn how it was published (${finding.detail}), so the trust-downgrade rule fails closed${say.via}`
      + fix(`retry when the registry answers`, `if you trust this version, ${approveTrust(say, finding)}`),
  },
} satisfies KindMessages;

/** What the version was published with, against what it is ranked below. */
const PUBLISHED_WITH: Record<TrustRank, string> = {
  2: `with a trusted publisher and a provenance attestation`,
  1: `with a provenance attestation but no trusted publisher`,
  0: `without a trusted publisher or a provenance attestation`,
};

const HAD: Record<TrustRank, string> = {
  2: `a trusted publisher and a provenance attestation`,
  1: `a provenance attestation`,
  0: `neither`,
};

/** `published <when>, <age> without a trusted publisher ..., where 1.14.0 of its release line (1.x), published <when>, had ...`. */
function describeDowngrade(say: Phrases, finding: Finding) {
  const trust = finding.trust!;
  const previous = say.version(finding.previousVersion);
  const previousWhen = trust.previousPublishedAt === null ? `` : `, published ${formatUtc(trust.previousPublishedAt)},`;
  const which = trust.against === `release-line`
    ? `${previous} of the same release line (${releaseLineOf(finding.previousVersion!)}.x)${previousWhen}`
    : `${previous}, the version it replaced,`;
  const dropped = trust.rank === 1 ? `the trusted publisher` : trust.previousRank === 2 ? `both` : `the attestation`;
  return `${say.published === `` ? `published at an unknown time` : `${say.published},`} ${PUBLISHED_WITH[trust.rank]}, where ${which} had ${HAD[trust.previousRank]}; `
    + `a publish that drops ${dropped} may come from a stolen token`;
}

function describeOldLocked(finding: Finding) {
  if (!finding.trust!.oldLocked)
    return ``;
  return `; a warning, not an error: yarn.lock already had it and it is older than ${formatDuration(LOCKED_DOWNGRADE_GRACE_MS)}, `
    + `as a publishing pipeline that regressed once leaves behind (an attack is found and pulled within days)`;
}

function approveTrust(say: Phrases, finding: Finding) {
  return `run ${say.code(`yarn quarantine approve --trust ${finding.name}@${finding.version}`)}, which adds this version to ${say.setting(`quarantineTrustExemptPackages`)}`;
}

/** Back to the version that had the evidence where a workspace declares the package; otherwise through yarn.lock. */
function trustFix(say: Phrases, finding: Finding) {
  const previous = finding.previousVersion!;
  // `yarn up name@version` only takes a dependency a workspace declares; a root `resolutions` entry would force every range of the package.
  const stay = finding.path.length === 2
    ? `stay on ${previous} (${say.code(`yarn up ${finding.name}@${previous}`)})`
    : finding.locked
      ? `move off it with ${say.up} once a version published as ${previous} was is out`
      : `keep the version yarn.lock had`;
  return fix(stay, `if the maintainers say why it was published differently, ${approveTrust(say, finding)}`);
}
