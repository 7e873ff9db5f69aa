// Package sqlkit holds the logic that the SQL backends of the store,
// store/sqlite and store/postgres, share: the encoding of record keys and
// times as column values, the SELECT of [store.Tx.List] in either
// placeholder style, the mapping of database errors, the checks that open
// an insert, [audit.Trail.Append] as a unit of work of its own, and the
// loading of the embedded schema migrations.
//
// It is internal to store: applications use the backends, which keep their
// own SQL statements, connections and transactions.
package sqlkit
