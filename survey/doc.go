// Package survey is the questionnaire as a domain: a Definition (round metadata,
// sections, questions with stable codes, rules and indicators) loaded from YAML or
// JSON with precise errors; a small expression language for show_if conditions,
// cross-field rules and indicator formulas; and validation of a municipality's
// Answers in draft or submit mode with Latvian and English messages.
//
// The package is pure Go: it imports neither Gin nor SQL. The definition format
// and the expression language are documented in README.md beside this file.
package survey
