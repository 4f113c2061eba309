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

export function rankOf(evidence: TrustEvidence): TrustRank {
  if (!evidence.provenance)
    return 0;
  return evidence.trustedPublisher ? 2 : 1;
}
