package manage_test

// resultOps are the results operations of the table (authz_test.go).
func resultOps() []operation {
	return nil
}

// resultExempt are the results methods that take no principal, and why.
func resultExempt() map[string]string {
	return map[string]string{}
}
