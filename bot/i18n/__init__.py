"""Languages: gettext catalogs, locales and their fallbacks, and translation completeness."""
