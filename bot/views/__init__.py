"""Pure views: (DTO, translator) → Reply. No I/O, no telegram imports."""
