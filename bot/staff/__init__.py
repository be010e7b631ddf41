"""Staff tools: roles, moderation (upload → validate → preview → publish), cohorts,
announcements and the coordinators' aggregates. Nothing here knows Telegram."""
