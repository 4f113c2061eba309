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
