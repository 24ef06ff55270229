-- wicket-schema.sql: one row per accounting record from wicket gateways,
-- each counted once. SQLite and PostgreSQL.
--
-- A gateway sends a record again until it is acknowledged, and again after
-- a crash, always with the same NAS-Identifier, Acct-Session-Id,
-- Acct-Status-Type and Event-Timestamp (the time of the event, not of the
-- sending, Acct-Delay-Time says how late it is). The UNIQUE key below is
-- that identity, and wicket-queries.conf inserts with ON CONFLICT DO
-- NOTHING: a repeat is acknowledged and changes nothing.
--
-- No semicolon in a comment: rlm_sql_sqlite's bootstrap splits the file
-- into statements at every one.

CREATE TABLE IF NOT EXISTS wicket_acct (
	id INTEGER PRIMARY KEY,
	acctuniqueid VARCHAR(32) NOT NULL,    -- md5(NAS-Identifier, Acct-Session-Id): the session
	nasidentifier VARCHAR(64) NOT NULL,   -- the gateway
	acctsessionid VARCHAR(64) NOT NULL,   -- the gateway's session id, 16 hex digits
	statustype VARCHAR(16) NOT NULL,      -- Start, Interim-Update, Stop
	eventtime BIGINT NOT NULL,            -- Event-Timestamp, seconds since 1970
	delaytime BIGINT,                     -- Acct-Delay-Time of the copy that arrived first
	sessiontime BIGINT,                   -- Acct-Session-Time, seconds
	inputoctets BIGINT,                   -- from the guest (upload), Gigawords included
	outputoctets BIGINT,                  -- to the guest (download), Gigawords included
	inputpackets BIGINT,
	outputpackets BIGINT,
	terminatecause VARCHAR(32),           -- Stop only
	username VARCHAR(253),
	callingstationid VARCHAR(32),         -- the guest's MAC, AA-BB-CC-DD-EE-FF
	nasportid VARCHAR(64),                -- the access port, lan.101
	charge BIGINT,                        -- Wicket-Charge, minor units
	currency VARCHAR(8),                  -- Wicket-Currency
	plan VARCHAR(253),                    -- Wicket-Plan
	room VARCHAR(64),                     -- Wicket-Room
	received BIGINT NOT NULL,             -- when this server stored it
	UNIQUE (nasidentifier, acctsessionid, statustype, eventtime)
);
CREATE INDEX IF NOT EXISTS wicket_acct_session ON wicket_acct (acctuniqueid);
