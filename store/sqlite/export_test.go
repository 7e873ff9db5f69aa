package sqlite

// ListSQL exposes listSQL to the tests of package sqlite_test.
var ListSQL = listSQL
