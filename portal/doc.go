// Package portal is regdesk's public web process: the sign-up page, email
// activation and the customer self-service pages (login.go, session.go,
// password_reset.go, account.go, admin.go): login with throttling that never
// locks an account, server-side sessions stored as SHA-256 hashes, password
// reset and set-password links, the account and contact details, and the
// self-service administrator's users page.
//
// This part of the package holds the store-independent pieces the routes are
// built from: the [Renderer] with its embedded templates and static files, the
// [SignupForm] and its validation, the argon2id [Hasher], and the hardening
// middleware ([SecureHeaders], [RequestID], [Recover], [LimitBody],
// [CrossOriginProtection], [ClientIPResolver], [KeyedLimiter]). None of them
// touches the database; handlers combine them with the store.
package portal
