"""Desk panels of the cases app (registered from CasesConfig.ready())."""
