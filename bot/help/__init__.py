"""Help: screening what he types, the referral directory, and the offers built from it."""
