"""Review of sections by the signatories: positions, validation, the register of reserves."""
