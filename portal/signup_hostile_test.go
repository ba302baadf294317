package portal

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// multipartBody encodes v (and a file part) as multipart/form-data.
func multipartBody(t *testing.T, v url.Values, file bool) (string, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range v {
		for _, s := range vs {
			if err := mw.WriteField(k, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	if file {
		fw, err := mw.CreateFormFile("attachment", "evil.exe")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(bytes.Repeat([]byte{0}, 1000))
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), b.String()
}

// TestSignup_hostileInput sends what browsers never would. Nothing may give
// a 500, and only well-formed valid sign-ups may store anything.
func TestSignup_hostileInput(t *testing.T) {
	valid := validSignup()
	mpType, mpBody := multipartBody(t, valid, true)
	_, mpValid := multipartBody(t, valid, false)
	huge := validSignup()
	huge.Set(FieldCompanyName, strings.Repeat("a", 50000)) // under the body limit
	repeated := validSignup()
	repeated[FieldEmail] = []string{"first@acme.example", "second@acme.example"}
	form := "application/x-www-form-urlencoded"

	tests := []struct {
		name, ctype, body string
		want              int // for /signup
	}{
		{"empty body", form, "", http.StatusUnprocessableEntity},
		{"no content type", "", valid.Encode(), http.StatusUnprocessableEntity},
		{"json", "application/json", `{"company_name":"Acme"}`, http.StatusUnprocessableEntity},
		{"text plain", "text/plain", valid.Encode(), http.StatusUnprocessableEntity},
		{"bad content type", "%%%;;;", valid.Encode(), http.StatusBadRequest},
		{"bad escape", form, "company_name=%zz&email=%", http.StatusBadRequest},
		{"invalid utf8 and NUL", form, "company_name=Acme%ff%00&city=%00&email=a%00b@x.example", http.StatusUnprocessableEntity},
		{"NUL in password", form, strings.Replace(valid.Encode(), "password=correct", "password=cor%00rect", 1), http.StatusUnprocessableEntity},
		{"field too long", form, huge.Encode(), http.StatusUnprocessableEntity},
		{"body over limit", form, "company_name=" + strings.Repeat("a", DefaultMaxFormBytes), http.StatusRequestEntityTooLarge},
		{"many fields", form, strings.Repeat("x=1&", 5000), http.StatusUnprocessableEntity},
		{"too many fields", form, strings.Repeat("x&", 15000), http.StatusBadRequest},
		{"unknown fields only", form, "admin=1&status=verified", http.StatusUnprocessableEntity},
		{"multipart with a file", mpType, mpBody, http.StatusSeeOther},
		{"multipart without boundary", "multipart/form-data", mpValid, http.StatusBadRequest},
		{"multipart truncated", mpType, mpValid[:len(mpValid)/2], http.StatusBadRequest},
		{"repeated fields take the first", form, repeated.Encode(), http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSignupEnv(t, nil)
			for _, path := range []string{"/signup", "/activate", "/activate/resend"} {
				w := e.do(http.MethodPost, path+"?company_name=q&token=q&email=q@q.example", strings.NewReader(tt.body),
					header("Content-Type", tt.ctype))
				if w.Code >= 500 {
					t.Fatalf("POST %s: %d\n%s", path, w.Code, w.Body)
				}
				if path == "/signup" && w.Code != tt.want {
					t.Fatalf("POST /signup: %d, want %d\n%s", w.Code, tt.want, w.Body)
				}
				if ct := w.Header().Get("Content-Type"); w.Code != http.StatusSeeOther && !strings.HasPrefix(ct, "text/html") {
					t.Fatalf("POST %s: Content-Type %q", path, ct)
				}
			}
			rs := e.requests()
			if tt.want != http.StatusSeeOther && len(rs) != 0 {
				t.Fatalf("%d requests stored", len(rs))
			}
			if tt.want == http.StatusSeeOther && (len(rs) != 1 || rs[0].Email != "jana.schmidt@acme.example" &&
				rs[0].Email != "first@acme.example") {
				t.Fatalf("stored %+v", rs)
			}
		})
	}
}

func TestSignup_otherMethods(t *testing.T) {
	e := newSignupEnv(t, nil)
	for _, path := range []string{"/signup", "/signup/sent", "/activate", "/activate/resend"} {
		for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
			w := e.do(m, path, strings.NewReader(validSignup().Encode()),
				header("Content-Type", "application/x-www-form-urlencoded"))
			if w.Code != http.StatusMethodNotAllowed {
				t.Fatalf("%s %s: %d, want 405", m, path, w.Code)
			}
		}
	}
	wantStatus(t, e.post("/signup/sent", validSignup()), http.StatusMethodNotAllowed)
}
