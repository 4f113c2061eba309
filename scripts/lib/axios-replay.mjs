import {agoISO} from './registry.mjs';

/**
 * A replay of the 2026 axios compromise: a stolen token published axios 1.14.1, which added one
 * dependency, plain-crypto-js, published minutes earlier, whose postinstall dropped a trojan.
 * Here the postinstall only writes a marker file into $MARKER_DIR, so a test can see it ran.
 */
export const MALICIOUS_POSTINSTALL = `node -e "require('fs').writeFileSync(require('path').join(process.env.MARKER_DIR || '.', 'plain-crypto-js-postinstall-ran'), 'a remote-access trojan would be running now')"`;

/** @returns {import('./registry.mjs').PackageSpec[]} */
export function axiosReplay({compromisedHoursAgo = 2} = {}) {
  return [
    {
      name: `axios`,
      versions: {
        '1.13.6': {publishedAt: agoISO({days: 60}), dependencies: {'follow-redirects': `^1.15.0`}},
        '1.14.0': {publishedAt: agoISO({days: 30}), dependencies: {'follow-redirects': `^1.15.0`}},
        '1.14.1': {publishedAt: agoISO({hours: compromisedHoursAgo}), dependencies: {'follow-redirects': `^1.15.0`, 'plain-crypto-js': `^4.2.1`}},
      },
    },
    {
      name: `follow-redirects`,
      versions: {'1.15.9': {publishedAt: agoISO({days: 200})}},
    },
    {
      name: `plain-crypto-js`,
      versions: {
        '4.2.1': {publishedAt: agoISO({hours: compromisedHoursAgo, minutes: 40}), scripts: {postinstall: MALICIOUS_POSTINSTALL}},
      },
    },
  ];
}

export const MARKER_FILE = `plain-crypto-js-postinstall-ran`;
