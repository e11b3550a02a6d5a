"""The register of the association: meetings, documents sent, minutes, letters received."""
