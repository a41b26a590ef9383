-- Run once by the postgres image on an empty data directory (docker-compose.yml). The API
-- connects as `msp`, an ordinary role that owns its database and schema: a superuser would
-- bypass the row-level security policies (docs/security.md).
CREATE ROLE msp LOGIN PASSWORD 'msp-local-only-password';
ALTER DATABASE msp OWNER TO msp;
ALTER SCHEMA public OWNER TO msp;
