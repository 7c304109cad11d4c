package manage

// WriteArchive lets the external tests make a round's archive without an
// audit row (TestOperationsByRole's import must change nothing when it is
// refused).
var WriteArchive = (*Manager).writeArchive
