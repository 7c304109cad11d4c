package manage_test

// accountOps are the account operations of the table (authz_test.go).
func accountOps() []operation {
	return nil
}

// accountExempt are the account methods that take no principal, and why.
func accountExempt() map[string]string {
	return map[string]string{}
}
