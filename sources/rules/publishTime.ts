/** What the registry told us about when a version was published, cleaned once where it is read. */
export type PublishTime =
  | {kind: `known`, at: Date}
  /** The registry lists the version but gives no (valid) publish time for it. */
  | {kind: `missing`}
  /** The registry does not list the version at all, or refuses the whole package with this HTTP status. */
  | {kind: `unlisted`, status?: number}
  | {kind: `unavailable`, reason: string};
