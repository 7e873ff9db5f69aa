-- 0001: records, counters and the audit trail.

-- One row per record of any kind. The indexed keys (store.Keys) are columns;
-- the record itself is the JSON its Codec marshals. Times are Unix
-- nanoseconds in UTC; due is NULL when the record has no deadline.
CREATE TABLE records (
	kind     TEXT    NOT NULL,
	id       TEXT    NOT NULL,
	version  INTEGER NOT NULL,
	status   TEXT    NOT NULL,
	owner    TEXT    NOT NULL,
	grp      TEXT    NOT NULL,
	service  TEXT    NOT NULL,
	priority INTEGER NOT NULL,
	created  INTEGER NOT NULL,
	due      INTEGER,
	data     TEXT    NOT NULL,
	PRIMARY KEY (kind, id)
) STRICT;

-- One index per filter of store.Query, each ending in the sort order
-- (sort key, id) so that a filtered page is read in order without sorting.
CREATE INDEX records_by_created  ON records (kind, created, id);
CREATE INDEX records_by_status   ON records (kind, status, created, id);
CREATE INDEX records_by_owner    ON records (kind, owner, created, id);
CREATE INDEX records_by_grp      ON records (kind, grp, created, id);
CREATE INDEX records_by_service  ON records (kind, service, created, id);
CREATE INDEX records_by_priority ON records (kind, priority, created, id);
CREATE INDEX records_by_due      ON records (kind, due, id) WHERE due IS NOT NULL;

-- Gap-free counters of Tx.NextNumber.
CREATE TABLE counters (
	name  TEXT    NOT NULL PRIMARY KEY,
	value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The hash-chained audit trail, one row per audit.Entry. seq is the rowid.
-- changes and data are JSON, NULL when the entry's slice or map is nil.
CREATE TABLE audit (
	seq        INTEGER PRIMARY KEY,
	id         TEXT    NOT NULL,
	time       INTEGER NOT NULL,
	actor      TEXT    NOT NULL,
	action     TEXT    NOT NULL,
	kind       TEXT    NOT NULL,
	entity_id  TEXT    NOT NULL,
	from_state TEXT    NOT NULL,
	to_state   TEXT    NOT NULL,
	changes    TEXT,
	data       TEXT,
	prev_hash  BLOB    NOT NULL,
	hash       BLOB    NOT NULL
) STRICT;
