/** The lifecycle scripts Yarn runs when it builds a package, in the order it runs them. */
export const INSTALL_SCRIPT_NAMES = [`preinstall`, `install`, `postinstall`] as const;

export type InstallScriptName = typeof INSTALL_SCRIPT_NAMES[number];

/** The commands a version runs at install, by script; `install: node-gyp rebuild` for a package built by its binding.gyp alone. */
export type InstallScripts = Partial<Record<InstallScriptName, string>>;

/** What the registry told us about a version's install scripts, cleaned once where it is read. */
export type InstallScriptsFact =
  | {kind: `known`, scripts: InstallScripts}
  /** The registry says the version has install scripts (`hasInstallScript`) but not which: it left `scripts` out. */
  | {kind: `omitted`}
  | {kind: `unknown`, reason: string};

/** 2: a trusted publisher with a provenance attestation; 1: an attestation alone; 0: neither. */
export type TrustRank = 0 | 1 | 2;

/** How a version was published, as the registry records it: the input of the trust-downgrade rule. */
export type TrustEvidence = {
  /** `_npmUser` is present: the registry records who published (absent on mirrors and many private registries). */
  publisher: boolean;
  /** `_npmUser.trustedPublisher`: published by a CI identity through npm's trusted publishing. */
  trustedPublisher: boolean;
  /** `dist.attestations`: a provenance attestation was published with it. */
  provenance: boolean;
};
