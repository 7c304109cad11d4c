package manage_test

// roundOps are the round operations of the table (authz_test.go).
func roundOps() []operation {
	return nil
}

// roundExempt are the round methods that take no principal, and why.
func roundExempt() map[string]string {
	return map[string]string{}
}
