package domain

import (
	"strings"
	"testing"
)

func TestValues_Validate(t *testing.T) {
	v := Values{FieldCompanyName: "  Contoso Ltd ", FieldStreet: "1 High St", FieldCity: "Leeds",
		FieldPostalCode: "LS1 1AA", FieldCountry: "gb", FieldFirstName: "Ada", FieldLastName: "Lovelace",
		FieldEmail: "ada@Contoso.EXAMPLE", FieldPhone: "+44 113 555 0100", FieldLanguage: "pt-br",
		FieldUsername: "Ada.L"}
	if errs := v.Validate(); errs != nil {
		t.Fatalf("valid values refused: %+v", errs)
	}
	want := map[string]string{FieldCompanyName: "Contoso Ltd", FieldCountry: "GB",
		FieldEmail: "ada@contoso.example", FieldLanguage: "pt-BR", FieldUsername: "ada.l"}
	for name, w := range want {
		if v[name] != w {
			t.Errorf("%s = %q, want %q", name, v[name], w)
		}
	}

	bad := Values{FieldCompanyName: "", FieldCountry: "XX", FieldPhone: "12", FieldUsername: "-xyz",
		FieldEmail: "Ada <ada@x.example>", FieldTaxID: "GB<1>"}
	errs := bad.Validate(FieldCompanyName, FieldCountry, FieldPhone, FieldUsername, FieldEmail, FieldTaxID)
	got := map[string]string{}
	var order []string
	for _, e := range errs {
		got[e.Field] = e.Message
		order = append(order, e.Field)
	}
	if strings.Join(order, ",") != "company_name,tax_id,country,email,phone,username" {
		t.Errorf("problems not in form order: %v", order)
	}
	for field, part := range map[string]string{FieldCompanyName: "Enter your company", FieldCountry: "Select a country",
		FieldPhone: "5 to 20 digits", FieldUsername: "start with a letter", FieldEmail: "without a name",
		FieldTaxID: "letters, digits"} {
		if !strings.Contains(got[field], part) {
			t.Errorf("%s: message %q, want it to say %q", field, got[field], part)
		}
	}
}

func TestField_Check_controlCharacters(t *testing.T) {
	f, _ := FieldNamed(FieldCompanyName)
	v, msg := f.Check("Evil\x1b[2J Corp\u202e")
	if msg == "" || strings.ContainsRune(v, 0x1b) || strings.ContainsRune(v, 0x202e) {
		t.Fatalf("Check = %q, %q; want the controls removed and a message", v, msg)
	}
}

func TestField_Editable(t *testing.T) {
	for _, f := range RequestFields() {
		if f.Editable() == (f.Name == FieldEmail) {
			t.Errorf("%s: Editable() = %v", f.Name, f.Editable())
		}
	}
}

func TestParseStatus(t *testing.T) {
	if s, err := ParseRequestStatus(" Verified "); err != nil || s != Verified {
		t.Fatalf("ParseRequestStatus = %q, %v", s, err)
	}
	if _, err := ParseRequestStatus("pending"); err == nil || !strings.Contains(err.Error(), "requested, verified") {
		t.Fatalf("unknown status: %v", err)
	}
	if s, err := ParseUserRequestStatus("pending_approval"); err != nil || s != URPendingApproval {
		t.Fatalf("ParseUserRequestStatus = %q, %v", s, err)
	}
	if !Verified.Editable() || !Approved.Editable() || Requested.Editable() || Created.Editable() {
		t.Fatal("only verified and approved requests are editable")
	}
	if URCanceled.Open() || !URPendingApproval.Open() {
		t.Fatal("Open is wrong")
	}
}

func TestWording(t *testing.T) {
	all := []Wording{ApproveRequest, RejectRequest, CreateCustomer, ResendActivation, EditRequest,
		ApproveUserRequest, RejectUserRequest, CancelUserRequest, WithdrawUserRequest, ProvisionUser,
		RetryUserRequest, InactivateUser, ActivateUser}
	for _, w := range all {
		if w.Verb == "" || w.Button == "" || w.Effect == "" || strings.Count(w.Title, "%s") != 1 || strings.Count(w.Done, "%s") != 1 {
			t.Errorf("incomplete wording: %+v", w)
		}
		if q := w.Question("X-1"); !strings.Contains(q, "X-1") || strings.Contains(q, "%!") {
			t.Errorf("Question = %q", q)
		}
	}
	// The resend confirmation once said earlier links stay valid; they are revoked.
	if !strings.Contains(ResendActivation.Effect, "revoked") {
		t.Errorf("resend effect %q does not say earlier links are revoked", ResendActivation.Effect)
	}
}
