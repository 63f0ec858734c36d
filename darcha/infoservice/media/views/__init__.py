"""Pages of accreditation and press requests (under /<lang>/press/, names `media:<name>`); see each module."""
