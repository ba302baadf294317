// Package portal is regdesk's public web process: the sign-up page, email
// activation and, later, the customer self-service pages.
//
// This part of the package holds the store-independent pieces the routes are
// built from: the [Renderer] with its embedded templates and static files, the
// [SignupForm] and its validation, the argon2id [Hasher], and the hardening
// middleware ([SecureHeaders], [RequestID], [Recover], [LimitBody],
// [CrossOriginProtection], [ClientIPResolver], [KeyedLimiter]). None of them
// touches the database; handlers combine them with the store.
package portal
