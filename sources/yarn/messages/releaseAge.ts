import type {Finding} from '../../rules/finding';
import {exemptIt, fix, ifYouTrustIt, runUp} from './fix';
import type {KindMessages} from './kindMessage';
import type {Phrases} from './phrases';

export const releaseAgeMessages = {
  [`held-back`]: {
    one: `held back`,
    many: `held back`,
    line: (finding, say) => {
      const when = finding.publishedAt === null ? `no publish time` : `${say.published}; ${say.eligible}`;
      return `${say.requested()}: held back ${say.version(finding.version)} (${when}), using ${say.version(finding.usedVersion)}`;
    },
  },
  [`quarantined`]: {
    one: `quarantined`,
    many: `quarantined`,
    line: (finding, say) => {
      const young = (finding.ageMs ?? 0) < 0 ? `` : `, less than ${say.period}`;
      const ways = finding.locked ? [runUp(say, `to move to an eligible version`), `wait`] : [`wait`];
      return `${say.subject}${say.locked} is in quarantine: ${say.published}${young}; ${say.eligible}${say.via}`
        + fix(...ways, exemptIt(say, finding));
    },
  },
  [`no-eligible-version`]: {
    one: `no eligible version`,
    many: `no eligible version`,
    line: (finding, say, {withSubject}) => {
      const youngest = `the youngest candidate, ${say.version(finding.version)}, was ${say.published || `published at an unknown time`}`;
      const first = finding.eligibleAt === null ? `` : `; the first candidate becomes ${say.eligible}`;
      // `detail` counts the candidates without a publish time; only then can the missing-time setting help.
      const untimed = finding.detail ? ` (${finding.detail}, and ${rejectsMissingTimes(say)})` : ``;
      const ways = !finding.detail
        ? [`wait`, exemptIt(say, finding)]
        : [...finding.eligibleAt !== null ? [`wait`] : [], trustOrAllowMissingTimes(say, finding)];
      const subject = withSubject ? `${say.requested()}: ` : ``;
      return `${subject}no version satisfying ${say.range(finding.range ?? ``)} is out of quarantine (${say.period}): `
        + `${youngest}${first}${untimed}${say.via}${fix(...ways)}`;
    },
  },
  [`missing-publish-time`]: {
    one: `missing publish time`,
    many: `missing publish times`,
    line: (finding, say) =>
      `${say.subject}${say.locked}: the registry reports no publish time for this version, and ${rejectsMissingTimes(say)}${say.via}`
      + fix(trustOrAllowMissingTimes(say, finding)),
  },
  [`unlisted-version`]: {
    one: `no longer served`,
    many: `no longer served`,
    line: (finding, say) => {
      const moveAway = `${runUp(say, `to move to a served version`)}, and check the machines that installed it`;
      if (finding.detail === `HTTP 403`) {
        const why = `it answers 403 for the package: pulled for being malicious, or the credentials lack access`;
        return `${say.subject}${say.locked}: the registry no longer serves this version (${why})${say.via}`
          + fix(`check the registry credentials; if they are right, ${moveAway}`);
      }
      return `${say.subject}${say.locked}: the registry no longer serves this version; it may have been pulled for being malicious${say.via}`
        + fix(moveAway);
    },
  },
  [`registry-error`]: {
    one: `registry error`,
    many: `registry errors`,
    line: (finding, say) =>
      `${say.subject}${say.locked}: could not learn its publish time (${finding.detail}), so the release-age rule fails closed${say.via}`
      + fix(`retry when the registry answers`, exemptIt(say, finding)),
  },
} satisfies KindMessages;

function rejectsMissingTimes(say: Phrases) {
  return `${say.setting(`quarantineMissingPublishTime`)} is ${say.code(`reject`)}`;
}

/** A version without a publish time: exempt it or its scope, or allow missing times for a registry that serves none. */
function trustOrAllowMissingTimes(say: Phrases, finding: Finding) {
  const allow = say.code(`quarantineMissingPublishTime: allow`);
  return `${ifYouTrustIt(exemptIt(say, finding, {scope: true}))}; for a registry that serves no publish times, set ${allow}`;
}
