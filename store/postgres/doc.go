// Package postgres is the PostgreSQL backend of package store, for several
// application instances sharing one database.
package postgres
