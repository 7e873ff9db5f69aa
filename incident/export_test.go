package incident

// Records is the incidents' collection, exported to the benchmarks that
// measure the store's own share of a lifecycle.
var Records = records
