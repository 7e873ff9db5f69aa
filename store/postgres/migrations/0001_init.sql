-- 0001: records, counters and the hash-chained audit trail.
-- Run by migrate.go inside one transaction that holds the schema's advisory
-- lock, with search_path set to the store's schema (names are unqualified).

-- One row per record of any kind. The indexed keys (store.Keys) are columns;
-- the record itself is the JSON its Codec marshals, kept as JSONB. Times are
-- Unix nanoseconds in UTC; due is NULL when the record has no deadline. IDs
-- compare bytewise (COLLATE "C"), the order of Go strings and of list cursors.
-- Pages keep free space so that updates that change no indexed column (the
-- usual case: a new version of the data) stay on the page (HOT) and write no
-- index entries.
CREATE TABLE records (
	kind     TEXT   NOT NULL,
	id       TEXT   COLLATE "C" NOT NULL,
	version  BIGINT NOT NULL,
	status   TEXT   NOT NULL,
	owner    TEXT   NOT NULL,
	grp      TEXT   NOT NULL,
	service  TEXT   NOT NULL,
	priority INT    NOT NULL,
	created  BIGINT NOT NULL,
	due      BIGINT,
	data     JSONB  NOT NULL,
	PRIMARY KEY (kind, id)
) WITH (fillfactor = 80);

-- One index per filter of store.Query, each ending in the sort order
-- (sort key, id), so that a filtered page is read in order without sorting.
CREATE INDEX records_by_created  ON records (kind, created, id);
CREATE INDEX records_by_status   ON records (kind, status, created, id);
CREATE INDEX records_by_owner    ON records (kind, owner, created, id);
CREATE INDEX records_by_grp      ON records (kind, grp, created, id);
CREATE INDEX records_by_service  ON records (kind, service, created, id);
CREATE INDEX records_by_priority ON records (kind, priority, created, id);
CREATE INDEX records_by_due      ON records (kind, due, id) WHERE due IS NOT NULL;

-- Gap-free counters of Tx.NextNumber: the row stays locked until the
-- transaction that incremented it ends.
CREATE TABLE counters (
	name  TEXT   PRIMARY KEY,
	value BIGINT NOT NULL
);

-- The hash-chained audit trail, one row per audit.Entry. changes and data are
-- JSON, NULL when the entry has none.
CREATE TABLE audit (
	seq        BIGINT PRIMARY KEY,
	id         UUID   NOT NULL,
	time       BIGINT NOT NULL,
	actor      TEXT   NOT NULL,
	action     TEXT   NOT NULL,
	kind       TEXT   NOT NULL,
	entity_id  TEXT   NOT NULL,
	from_state TEXT   NOT NULL,
	to_state   TEXT   NOT NULL,
	changes    JSONB,
	data       JSONB,
	prev_hash  BYTEA  NOT NULL,
	hash       BYTEA  NOT NULL
);

-- The chain head: exactly one row, the sequence number and hash of the last
-- entry. An appending transaction takes the schema's chain lock (a
-- transaction-level advisory lock, see migrate.go) before it reads the row
-- and seals, which serialises appends from every connection and process;
-- the primary key on audit.seq backs that up.
CREATE TABLE audit_head (
	one  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
	seq  BIGINT  NOT NULL,
	hash BYTEA   NOT NULL
);
INSERT INTO audit_head (one, seq, hash) VALUES (TRUE, 0, decode(repeat('00', 32), 'hex'));
