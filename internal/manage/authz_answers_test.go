package manage_test

// answerOps are the answer operations of the table (authz_test.go).
func answerOps() []operation {
	return nil
}

// answerExempt are the answer methods that take no principal, and why.
func answerExempt() map[string]string {
	return map[string]string{}
}
