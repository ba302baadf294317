package domain

import "fmt"

// Wording is what regdesk says about one action, wherever it is taken: the
// TUI's dialog and status line, the CLI's help and output, the portal's
// pages. Saying it once keeps them from contradicting each other.
type Wording struct {
	Verb   string // lower case, for "cannot VERB X" and key help: "approve"
	Title  string // the confirmation question, with %s for the number: "Approve %s?"
	Button string // the confirming button: "Approve"
	Effect string // what happens, one or two sentences
	Done   string // the outcome, with %s for the number: "%s approved"
}

// Question is the confirmation question for the record called number.
func (w Wording) Question(number string) string { return fmt.Sprintf(w.Title, number) }

// Outcome says what happened to the record called number.
func (w Wording) Outcome(number string) string { return fmt.Sprintf(w.Done, number) }

// The actions on customer requests.
var (
	ApproveRequest = Wording{Verb: "approve", Title: "Approve %s?", Button: "Approve",
		Effect: "The request moves from verified to approved. No email goes out yet; next, the approver creates the customer.",
		Done:   "%s approved"}
	RejectRequest = Wording{Verb: "reject", Title: "Reject %s?", Button: "Reject",
		Effect: "The request is closed as rejected and the prospect is emailed the reason and comment.",
		Done:   "%s rejected; the prospect is emailed"}
	CreateCustomer = Wording{Verb: "create a customer for", Title: "Create the customer for %s?", Button: "Create",
		Effect: "Creates the customer account (or joins an existing one), the contact person and a user request for the login.",
		Done:   "%s: customer created"}
	ResendActivation = Wording{Verb: "resend the activation link of", Title: "Resend the activation link of %s?", Button: "Send",
		Effect: "A new activation link is emailed; earlier links are revoked and stop working.",
		Done:   "%s: a new activation link is queued; earlier links no longer work"}
	EditRequest = Wording{Verb: "edit", Title: "Save the changes to %s?", Button: "Save",
		Effect: "Corrects the request's fields before Create; the email address is not editable. Each change is recorded in the audit trail, old → new, and the warnings are checked again.",
		Done:   "%s edited"}
)

// The actions on user requests and users.
var (
	ApproveUserRequest = Wording{Verb: "approve", Title: "Approve user request %s?", Button: "Approve",
		Effect: "The workflow goes on: it provisions the login and mails the user.",
		Done:   "%s approved; the workflow provisions the login"}
	RejectUserRequest = Wording{Verb: "reject", Title: "Reject user request %s?", Button: "Reject",
		Effect: "No login is created; the contact is emailed that the request was rejected.",
		Done:   "%s rejected; the contact is emailed"}
	CancelUserRequest = Wording{Verb: "cancel", Title: "Cancel user request %s?", Button: "Cancel request",
		Effect: "The user request is closed as canceled; no login is created and nobody is emailed.",
		Done:   "%s canceled"}
	WithdrawUserRequest = Wording{Verb: "withdraw", Title: "Withdraw the request for %s?", Button: "Withdraw",
		Effect: "The request leaves the approvers' queue; no login is created.",
		Done:   "The request for %s is withdrawn"}
	ProvisionUser = Wording{Verb: "provision", Title: "Provision user request %s by hand?", Button: "Provision",
		Effect: "Creates the login with the password chosen at sign-up, then emails the welcome message.",
		Done:   "%s: login created; welcome mail queued"}
	RetryUserRequest = Wording{Verb: "retry", Title: "Retry user request %s?", Button: "Retry",
		Effect: "The failed step runs again.",
		Done:   "%s resubmitted; the workflow picks it up"}
	InactivateUser = Wording{Verb: "inactivate", Title: "Inactivate user %s?", Button: "Inactivate",
		Effect: "The login stops working at once and its sessions end. It can be activated again.",
		Done:   "User %s inactivated; sessions ended"}
	ActivateUser = Wording{Verb: "activate", Title: "Activate user %s again?", Button: "Activate",
		Effect: "The login works again; a fresh link to set a new password is emailed to the user.",
		Done:   "User %s activated; a set-password link is emailed"}
)
