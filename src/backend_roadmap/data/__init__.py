"""Part III, databases: SQL and Redis connections that switch on DATABASE_URL / REDIS_URL."""
