package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// ErrNotAllowed means a customer user tried something only their company's
// self-service administrator may do, or acted on another company's records.
var ErrNotAllowed = errors.New("only a self-service administrator of this company may do that")

// RequestPasswordReset mails a password reset link to the login named by
// login (user name or email). Unknown and inactive logins get nothing and the
// same nil, so the caller's answer cannot tell them apart. Older reset links
// of the user stop working.
func (s *Service) RequestPasswordReset(ctx context.Context, login string) error {
	login = strings.TrimSpace(login)
	if login == "" {
		return nil
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error { return s.passwordReset(ctx, tx, login) })
	if err != nil {
		return fmt.Errorf("request password reset: %w", err)
	}
	return nil
}

// passwordReset mails a reset link to an active login, in tx.
func (s *Service) passwordReset(ctx context.Context, tx *store.Tx, login string) error {
	{
		u, err := tx.UserByLogin(ctx, login)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !u.Active {
			return nil
		}
		p, err := s.Params(ctx, &tx.Queries)
		if err != nil {
			return err
		}
		if err := tx.RevokeTokens(ctx, store.TokenPasswordReset, nil, &u.ID); err != nil {
			return err
		}
		ttl := p.Duration(ParamResetTTL)
		token, err := s.newToken(ctx, tx, store.TokenPasswordReset, nil, &u.ID, ttl)
		if err != nil {
			return err
		}
		d := MailData{Username: u.Username, Link: s.portalURL(p) + "/password/reset?token=" + token,
			expires: ttl}
		if c, err := tx.ContactByID(ctx, u.ContactID); err == nil {
			d.FirstName, d.LastName, d.lang = c.FirstName, c.LastName, c.Language
		}
		if c, err := tx.CustomerByID(ctx, u.CustomerID); err == nil {
			d.Company, d.Account = c.Name, c.Account
		}
		if err := s.queueMail(ctx, tx, p, "password_reset", ParamTmplPasswordReset,
			"user:"+u.Username, u.Email, d); err != nil {
			return err
		}
		return audit(ctx, tx, u.Username, store.EntityUser, u.Username, "password_reset_requested",
			"reset link mailed to "+u.Email)
	}
}

// PasswordToken is what a password link is worth: the login it sets the
// password of, or why it does not work.
type PasswordToken struct {
	Err      error // nil, ErrTokenInvalid, ErrTokenExpired or ErrTokenUsed
	Kind     string
	UserID   int64
	Username string
	Email    string
}

// passwordToken finds a usable password_reset or set_password token and its
// active user, or says why there is none.
func (s *Service) passwordToken(ctx context.Context, q *store.Queries, token string) (store.Token, store.User, error) {
	t, err := s.lookupToken(ctx, q, store.TokenPasswordReset, token)
	if errors.Is(err, ErrTokenInvalid) {
		t, err = s.lookupToken(ctx, q, store.TokenSetPassword, token)
	}
	if err != nil {
		return t, store.User{}, err
	}
	if t.UserID == nil {
		return t, store.User{}, ErrTokenInvalid
	}
	u, err := q.UserByID(ctx, *t.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return t, u, ErrTokenInvalid
	}
	if err != nil {
		return t, u, err
	}
	if !u.Active {
		return t, u, ErrTokenInvalid
	}
	return t, u, nil
}

// CheckPasswordToken looks at a password reset or set-password token without
// using it, for the page that asks for the new password.
func (s *Service) CheckPasswordToken(ctx context.Context, token string) (PasswordToken, error) {
	t, u, err := s.passwordToken(ctx, s.db.Read(), token)
	switch {
	case errors.Is(err, ErrTokenInvalid), errors.Is(err, ErrTokenExpired), errors.Is(err, ErrTokenUsed):
		return PasswordToken{Err: err}, nil
	case err != nil:
		return PasswordToken{}, fmt.Errorf("check password link: %w", err)
	}
	return PasswordToken{Kind: t.Kind, UserID: u.ID, Username: u.Username, Email: u.Email}, nil
}

// ResetPassword uses a password token once: it stores the new password hash
// (the portal checks and hashes the password first), ends every session of
// the user and makes every other password link of the user useless.
func (s *Service) ResetPassword(ctx context.Context, token, passwordHash string) (store.User, error) {
	var out store.User
	if passwordHash == "" {
		return out, &FieldError{Field: "password", Message: "a password hash is required"}
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		t, u, err := s.passwordToken(ctx, &tx.Queries, token)
		if err != nil {
			return err
		}
		if err := tx.UseToken(ctx, t.ID); err != nil {
			return ErrTokenUsed
		}
		if err := tx.SetUserPassword(ctx, u.ID, passwordHash); err != nil {
			return err
		}
		for _, kind := range []string{store.TokenPasswordReset, store.TokenSetPassword} {
			if err := tx.RevokeTokens(ctx, kind, nil, &u.ID); err != nil {
				return err
			}
		}
		action := "password_reset"
		if t.Kind == store.TokenSetPassword {
			action = "password_set"
		}
		if err := audit(ctx, tx, u.Username, store.EntityUser, u.Username, action,
			"by emailed link; every session ended"); err != nil {
			return err
		}
		out, err = tx.UserByID(ctx, u.ID)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("reset password: %w", err)
	}
	s.log.Info("password reset by link", "user", out.Username)
	return out, nil
}

// ContactInput is a user's own contact details as they may edit them; the
// portal validates them first. The email address is not among them: it is
// the login's address too, and changing it would need a new confirmation.
type ContactInput struct {
	UserID              int64
	FirstName, LastName string
	JobTitle, Phone     string
	Language            string
}

// UpdateOwnContact saves the contact details of a user's own contact person.
func (s *Service) UpdateOwnContact(ctx context.Context, in ContactInput) (store.Contact, error) {
	var out store.Contact
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		u, err := activeUser(ctx, tx, in.UserID)
		if err != nil {
			return err
		}
		c, err := tx.ContactByID(ctx, u.ContactID)
		if err != nil {
			return err
		}
		c.FirstName, c.LastName, c.JobTitle = in.FirstName, in.LastName, in.JobTitle
		c.Phone, c.Language = in.Phone, in.Language
		if err := tx.UpdateContact(ctx, c); err != nil {
			return err
		}
		if err := audit(ctx, tx, u.Username, store.EntityUser, u.Username, "update_contact",
			fmt.Sprintf("contact #%d", c.ID)); err != nil {
			return err
		}
		out, err = tx.ContactByID(ctx, c.ID)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("update contact: %w", err)
	}
	return out, nil
}

// activeUser loads a user who may act: it exists and is active.
func activeUser(ctx context.Context, tx *store.Tx, id int64) (store.User, error) {
	u, err := tx.UserByID(ctx, id)
	if err != nil {
		return u, err
	}
	if !u.Active {
		return u, ErrNotAllowed
	}
	return u, nil
}

// customerAdmin loads an active self-service administrator of customerID.
func customerAdmin(ctx context.Context, tx *store.Tx, userID, customerID int64) (store.User, error) {
	u, err := activeUser(ctx, tx, userID)
	if err != nil {
		return u, err
	}
	if u.Role != store.RoleCustomerAdmin || u.CustomerID != customerID {
		return u, ErrNotAllowed
	}
	return u, nil
}

// AddUserInput is a self-service administrator's "add customer user": a new
// contact person of their company and a login for them. The portal validates
// the fields first.
type AddUserInput struct {
	CustomerID          int64
	ByUserID            int64 // the administrator
	FirstName, LastName string
	Email               string
	Username            string
	Role                string
}

// AddCustomerUser creates the contact person and submits a user request
// without a password, exactly as Create does: it lands in the approvers'
// queue (or runs the workflow), and once the login is provisioned the new
// user gets a set-password link. Everything is audited with the
// administrator's user name.
func (s *Service) AddCustomerUser(ctx context.Context, in AddUserInput) (store.UserRequest, error) {
	var out store.UserRequest
	if validRole(in.Role) != nil {
		return out, &FieldError{Field: "role", Message: "Choose a role from the list"}
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		admin, err := customerAdmin(ctx, tx, in.ByUserID, in.CustomerID)
		if err != nil {
			return err
		}
		taken, err := tx.UsernameTaken(ctx, in.Username)
		if err != nil {
			return err
		}
		if taken {
			return &FieldError{Field: "username", Message: "This user name is taken. Choose another."}
		}
		known, err := tx.EmailRegistered(ctx, in.Email)
		if err != nil {
			return err
		}
		if known {
			return &FieldError{Field: "email", Message: "This email address already has a login or a registration in progress. Use another address."}
		}
		p, err := s.Params(ctx, &tx.Queries)
		if err != nil {
			return err
		}
		c := store.Contact{CustomerID: in.CustomerID, FirstName: in.FirstName, LastName: in.LastName,
			Email: in.Email}
		if err := tx.InsertContact(ctx, &c); err != nil {
			return err
		}
		cust, err := tx.CustomerByID(ctx, in.CustomerID)
		if err != nil {
			return err
		}
		if err := audit(ctx, tx, admin.Username, store.EntityCustomer, cust.Account, "add_contact",
			fmt.Sprintf("%s %s <%s> by self-service", in.FirstName, in.LastName, in.Email)); err != nil {
			return err
		}
		out, err = s.submitUserRequest(ctx, tx, p, store.UserRequest{CustomerID: in.CustomerID,
			ContactID: c.ID, Username: in.Username, Email: in.Email, Role: in.Role,
			CreatedBy: admin.Username}, p.Bool(ParamApproveUserStep) || p.Bool(ParamApprovePortalUser))
		return err
	})
	if err != nil {
		return out, fmt.Errorf("add customer user %s: %w", in.Username, err)
	}
	s.log.Info("customer user requested", "user_request", out.Number, "by", out.CreatedBy)
	return out, nil
}

// InactivateCustomerUser lets a self-service administrator inactivate a
// login of their own company (not their own); its sessions end at once.
func (s *Service) InactivateCustomerUser(ctx context.Context, byUserID, userID int64) (store.User, error) {
	var out store.User
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		target, err := tx.UserByID(ctx, userID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotAllowed // do not tell other companies' ids from missing ones
		}
		if err != nil {
			return err
		}
		admin, err := customerAdmin(ctx, tx, byUserID, target.CustomerID)
		if err != nil {
			return err
		}
		if admin.ID == target.ID {
			return &FieldError{Field: "user", Message: "You cannot inactivate your own login."}
		}
		if !target.Active {
			return fieldErrorf("user", MsgAlreadyInactive, target.Username)
		}
		if err := tx.SetUserActive(ctx, target.ID, false, admin.Username); err != nil {
			return err
		}
		if err := audit(ctx, tx, admin.Username, store.EntityUser, target.Username, "inactivate",
			"by self-service; every session ended"); err != nil {
			return err
		}
		if out, err = tx.UserByID(ctx, target.ID); err != nil {
			return err
		}
		return s.emitUser(ctx, tx, HookUserInactivated, out)
	})
	if err != nil {
		return out, fmt.Errorf("inactivate user #%d: %w", userID, err)
	}
	s.log.Info("user inactivated", "user", out.Username, "by", out.InactivatedBy)
	return out, nil
}

// WithdrawUserRequest lets a self-service administrator take back a user
// request of their own company that still waits for an approver.
func (s *Service) WithdrawUserRequest(ctx context.Context, byUserID int64, number string) (store.UserRequest, error) {
	var out store.UserRequest
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		u, err := tx.UserRequestByNumber(ctx, number)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotAllowed
		}
		if err != nil {
			return err
		}
		admin, err := customerAdmin(ctx, tx, byUserID, u.CustomerID)
		if err != nil {
			return err
		}
		if u.Status != domain.URPendingApproval && u.Status != domain.URDraft {
			return &FieldError{Field: "user_request", Message: MsgAlreadyDealt}
		}
		if err := s.moveUserRequest(ctx, tx, u, EventCancel, "", admin.Username, "withdrawn by self-service", 0, nil); err != nil {
			return err
		}
		out, err = tx.UserRequestByID(ctx, u.ID)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("withdraw user request %s: %w", number, err)
	}
	return out, nil
}
