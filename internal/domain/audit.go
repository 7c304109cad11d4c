package domain

import (
	"encoding/json"
	"time"
)

// Audit log actions: each staff action that reads or changes personal data
// or access is one row with one of these codes. The codes are stable (the
// audit page's filter, its CSV and scripts read them); add new ones, never
// rename. The README's "Audit log" section lists them.
const (
	// Answers with personal data.
	AuditResponseView    = "response.view"    // a municipality's answers with personal data and history (review page, its forms)
	AuditResponseCorrect = "response.correct" // a coordinator's correction of one answer
	AuditResponseReturn  = "response.return"  // a submitted response sent back for correction

	// Exports with personal data (and the workbook without: detail.personal).
	AuditExportWorkbook    = "export.workbook"     // the results workbook (detail: personal, filter)
	AuditExportContactList = "export.contact_list" // the council's invitation list (page, CSV, .xlsx)
	AuditExportLinks       = "export.links"        // the links CSV (links and contacts)

	// Personal links.
	AuditLinkShow   = "link.show"   // working links shown (the links page)
	AuditLinkIssue  = "link.issue"  // links issued (invite; existing ones rotated unless only missing)
	AuditLinkRotate = "link.rotate" // one municipality's link replaced
	AuditLinkRevoke = "link.revoke" // one municipality's link revoked

	// Mail.
	AuditMailQueue         = "mail.queue"          // invitations or reminders queued (detail: kind, queued)
	AuditMailQueueFeedback = "mail.queue_feedback" // the feedback e-mail queued

	// Feedback.
	AuditFeedbackRelease  = "feedback.release"  // feedback released to municipalities
	AuditFeedbackWithdraw = "feedback.withdraw" // a release withdrawn

	// Contacts.
	AuditContactsSave   = "contacts.save"   // a municipality's contacts saved by hand
	AuditContactsImport = "contacts.import" // contacts imported from a file

	// Users and API tokens.
	AuditUserCreate       = "user.create"        // detail: user_id, email, role
	AuditUserUpdate       = "user.update"        // name changed only
	AuditUserRole         = "user.role"          // detail: from, to
	AuditUserDisable      = "user.disable"       //
	AuditUserEnable       = "user.enable"        //
	AuditUserPasswordLink = "user.password_link" // a set-password (reset) link made
	AuditTokenCreate      = "api_token.create"   // detail: token_id, name, user
	AuditTokenRevoke      = "api_token.revoke"   // detail: token_id

	// Signing in.
	AuditSignIn          = "signin.ok"
	AuditSignInFailed    = "signin.failed"    // detail: email (as typed, normalised)
	AuditSignInThrottled = "signin.throttled" // refused by the throttle; detail: email
	AuditSignOut         = "signin.out"
	AuditPasswordChange  = "password.change" // a user's own, with the current one
	AuditPasswordSet     = "password.set"    // set by a one-time link (a new user's, a reset)

	// Round archives (surveyd archive): personal data leave or enter.
	AuditArchiveExport = "archive.export" // a round written to an archive file (detail: parts' row counts)
	AuditArchiveImport = "archive.import" // a round restored from an archive file (detail: the archive's round)

	// Personal data: a person's, and a round's retention.
	AuditPersonSearch   = "person.search"   // a person looked for and what is held shown (detail: counts found; never the query)
	AuditPersonExport   = "person.export"   // everything held about a person downloaded (JSON)
	AuditPersonErase    = "person.erase"    // a person's data erased on request (detail: counts erased)
	AuditRetentionSet   = "retention.set"   // a round's retention period set or cleared (detail: days)
	AuditRetentionErase = "retention.erase" // the retention job erased a round's personal data (detail: counts)

	// The audit log itself.
	AuditLogView   = "audit.view"   // the audit page read (detail: filter)
	AuditLogExport = "audit.export" // the audit CSV (detail: filter)
)

// AuditActions lists every action code, in the order above (the audit
// page's filter).
func AuditActions() []string {
	return []string{AuditResponseView, AuditResponseCorrect, AuditResponseReturn,
		AuditExportWorkbook, AuditExportContactList, AuditExportLinks,
		AuditLinkShow, AuditLinkIssue, AuditLinkRotate, AuditLinkRevoke,
		AuditMailQueue, AuditMailQueueFeedback, AuditFeedbackRelease, AuditFeedbackWithdraw,
		AuditContactsSave, AuditContactsImport,
		AuditUserCreate, AuditUserUpdate, AuditUserRole, AuditUserDisable, AuditUserEnable, AuditUserPasswordLink,
		AuditTokenCreate, AuditTokenRevoke,
		AuditSignIn, AuditSignInFailed, AuditSignInThrottled, AuditSignOut, AuditPasswordChange, AuditPasswordSet,
		AuditArchiveExport, AuditArchiveImport,
		AuditPersonSearch, AuditPersonExport, AuditPersonErase, AuditRetentionSet, AuditRetentionErase,
		AuditLogView, AuditLogExport}
}

// Kinds of audit actors.
const (
	AuditActorUser      = "user"
	AuditActorAPIToken  = "api_token"
	AuditActorOperator  = "operator"
	AuditActorSystem    = "system" // the service's own jobs (the retention job)
	AuditActorAnonymous = "anonymous"
)

// AuditEntry is one row of the audit log. Detail is a small JSON object:
// counts, codes, roles, a filter — never answers, tokens, link URLs or
// passwords.
type AuditEntry struct {
	ID           int64           `db:"id"`
	At           time.Time       `db:"at"`
	Action       string          `db:"action"`
	ActorKind    string          `db:"actor_kind"`
	UserID       *int64          `db:"user_id"`
	UserEmail    string          `db:"user_email"`
	APITokenID   *int64          `db:"api_token_id"`
	SurveyID     *int64          `db:"survey_id"`
	SurveySlug   string          `db:"survey_slug"`
	Municipality string          `db:"municipality"`
	ClientAddr   string          `db:"client_addr"`
	Detail       json.RawMessage `db:"detail"`
}

// AuditFilter selects rows of the audit log; zero fields select all.
type AuditFilter struct {
	Action       string
	UserEmail    string // the actor's e-mail address, exact (lower-case)
	SurveySlug   string
	Municipality string
	// From and To bound At: From ≤ At < To.
	From, To time.Time
	// Before pages: rows with an ID below it (0: from the newest).
	Before int64
}
