package workflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"sync"
	"time"

	"github.com/regdesk/regdesk/store"
)

// Near the cap on unverified requests, a sign-up must show it cost some
// work instead of finding a closed door: from signup.challenge_from percent
// of signup.max_unverified the form carries a challenge that the browser
// solves in about a second (a hashcash-style puzzle: find a nonce whose
// SHA-256 with the challenge starts with Bits zero bits) or, without
// JavaScript, that is sent after signup.challenge_wait. At the cap the
// puzzle is four times harder; only at twice the cap is sign-up paused.

// ChallengeTTL is how long a challenge may be answered.
const ChallengeTTL = 10 * time.Minute

// challengeCapBits is the extra difficulty at and beyond the cap.
const challengeCapBits = 2

// Why a challenge was refused. The portal asks again with a fresh one.
var (
	ErrChallengeMissing = errors.New("challenge: none sent")
	ErrChallengeInvalid = errors.New("challenge: not one this server issued")
	ErrChallengeExpired = errors.New("challenge: expired")
	ErrChallengeWrong   = errors.New("challenge: the answer does not solve it")
	ErrChallengeTooSoon = errors.New("challenge: sent without an answer before the wait was over")
	ErrChallengeUsed    = errors.New("challenge: used already")
)

// SignupPressure is how close sign-up is to its cap.
type SignupPressure struct {
	Live      int64 // unverified requests whose link still works (0 when far below)
	Cap       int
	Challenge bool // a sign-up must pass a challenge
	Bits      int  // its difficulty
	Paused    bool // at twice the cap: no sign-up at all
}

// Pressure tells from the cheap count of unverified requests (an upper
// bound, store.SignupState) whether sign-up needs a challenge or is paused;
// the exact count of live requests is read only near the cap. It writes
// nothing; AlertPressure tells the approvers.
func (s *Service) Pressure(ctx context.Context, q *store.Queries, p Params, cheap int64) (SignupPressure, error) {
	pr := SignupPressure{Cap: p.Int(ParamMaxUnverified)}
	from := challengeFrom(p)
	if cheap < from {
		return pr, nil
	}
	live, err := q.CountLiveUnverified(ctx, s.now())
	if err != nil {
		return pr, err
	}
	return pressureAt(p, pr, live), nil
}

// challengeFrom is the count of live unverified requests from which a
// sign-up needs a challenge.
func challengeFrom(p Params) int64 {
	return int64(max(1, p.Int(ParamMaxUnverified)*p.Int(ParamChallengeFrom)/100))
}

// SignupPressure returns the current parameters and the pressure on
// sign-up, read in one round trip (store.Queries.SignupState) on every
// request to the sign-up form: the parameters come from the cache at the
// version read, and the live requests are counted in the same statement,
// at most as many as the threshold of the parameters last seen, so far
// from the cap nothing is read twice and the cost does not grow with the
// database. When the threshold moved with the parameters, or the count
// reached it, Pressure's exact count is taken.
func (s *Service) SignupPressure(ctx context.Context, q *store.Queries) (Params, SignupPressure, error) {
	upTo := int64(1)
	if cur := s.params.cur.Load(); cur != nil {
		upTo = challengeFrom(cur.p)
	}
	st, err := q.SignupState(ctx, s.now(), upTo)
	if err != nil {
		return Params{}, SignupPressure{}, err
	}
	p, err := s.params.At(ctx, q, st.ParamVersion)
	if err != nil {
		return Params{}, SignupPressure{}, err
	}
	if from := challengeFrom(p); st.LiveCounted && from == upTo && st.Live < from {
		return p, SignupPressure{Cap: p.Int(ParamMaxUnverified), Live: st.Live}, nil
	}
	pr, err := s.Pressure(ctx, q, p, st.Unverified)
	return p, pr, err
}

// pressureAt is the pressure with live requests whose link works.
func pressureAt(p Params, pr SignupPressure, live int64) SignupPressure {
	pr.Live = live
	if live < challengeFrom(p) {
		return pr
	}
	pr.Challenge, pr.Bits = true, p.Int(ParamChallengeBits)
	if live >= int64(pr.Cap) {
		pr.Bits += challengeCapBits
	}
	pr.Paused = live >= 2*int64(pr.Cap)
	return pr
}

// Challenge is what the sign-up form carries.
type Challenge struct {
	Token string        // the puzzle's input, sealed so that only this server's tokens pass
	Bits  int           // leading zero bits the answer's hash needs
	Wait  time.Duration // without an answer, the form may be sent after this
}

const challengeAD = "regdesk signup challenge"

// NewChallenge issues a challenge of the given difficulty.
func (s *Service) NewChallenge(p Params, difficulty int) Challenge {
	plain := make([]byte, 16+8+1)
	_, _ = rand.Read(plain[:16])
	binary.BigEndian.PutUint64(plain[16:24], uint64(s.now().UnixMilli()))
	plain[24] = byte(difficulty)
	return Challenge{Token: base64.RawURLEncoding.EncodeToString(s.challengeKey.Seal(plain, []byte(challengeAD))),
		Bits: difficulty, Wait: p.Duration(ParamChallengeWait)}
}

// CheckChallenge checks an answer (nonce) to a challenge, or, with no
// answer, that the form was sent after the wait. It reads nothing, so the
// portal asks it before spending a password hash; SignUp asks again and
// records the challenge as used in its transaction, so each passes once.
func (s *Service) CheckChallenge(p Params, token, nonce string) error {
	_, err := s.checkChallenge(p, token, nonce)
	return err
}

// checkChallenge returns the challenge's id when the answer passes.
func (s *Service) checkChallenge(p Params, token, nonce string) (string, error) {
	if token == "" {
		return "", ErrChallengeMissing
	}
	sealed, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(token) > 200 || len(nonce) > 20 {
		return "", ErrChallengeInvalid
	}
	plain, err := s.challengeKey.Open(sealed, []byte(challengeAD))
	if err != nil || len(plain) != 25 {
		return "", ErrChallengeInvalid
	}
	issued := time.UnixMilli(int64(binary.BigEndian.Uint64(plain[16:24])))
	age := s.now().Sub(issued)
	switch {
	case age > ChallengeTTL || age < -time.Minute:
		return "", ErrChallengeExpired
	case nonce != "":
		if _, err := strconv.ParseUint(nonce, 10, 64); err != nil || !SolvesChallenge(token, nonce, int(plain[24])) {
			return "", ErrChallengeWrong
		}
	case age < p.Duration(ParamChallengeWait):
		return "", ErrChallengeTooSoon
	}
	return hex.EncodeToString(plain[:16]), nil
}

// useChallenge checks the answer and records the challenge as used in tx.
func (s *Service) useChallenge(ctx context.Context, tx *store.Tx, p Params, token, nonce string) error {
	id, err := s.checkChallenge(p, token, nonce)
	if err != nil {
		return err
	}
	err = tx.UseChallenge(ctx, id, s.now().Add(-ChallengeTTL-time.Minute))
	if errors.Is(err, store.ErrConflict) {
		return ErrChallengeUsed
	}
	return err
}

// SolvesChallenge reports whether SHA-256(token ":" nonce) starts with
// difficulty zero bits. /static/pow.js computes the same in the browser.
func SolvesChallenge(token, nonce string, difficulty int) bool {
	sum := sha256.Sum256([]byte(token + ":" + nonce))
	zeros := 0
	for _, b := range sum {
		if b != 0 {
			zeros += bits.LeadingZeros8(b)
			break
		}
		zeros += 8
	}
	return zeros >= difficulty
}

// alertCheckEvery bounds how often one process asks the database whether
// an alert is due, so a flood of sign-ups does not mean a flood of writes.
const alertCheckEvery = time.Minute

// alertEvery is how often approvers hear about the same pressure at most.
const alertEvery = time.Hour

type alertThrottle struct {
	mu      sync.Mutex
	checked map[string]time.Time
}

// AlertPressure logs, and mails every approver with an address, when
// sign-up needs a challenge or reaches its cap: at most once an hour for
// each, counted in the database (across restarts and processes). Call it
// outside a transaction.
func (s *Service) AlertPressure(ctx context.Context, p Params, pr SignupPressure) {
	if !pr.Challenge {
		return
	}
	kind, subject := "signup_challenge", "regdesk: sign-up is near its cap; sign-ups must pass a challenge"
	if pr.Live >= int64(pr.Cap) {
		kind, subject = "signup_cap", "regdesk: sign-up has reached its cap"
	}
	now := s.now()
	s.alerts.mu.Lock()
	if last, ok := s.alerts.checked[kind]; ok && now.Sub(last) < alertCheckEvery {
		s.alerts.mu.Unlock()
		return
	}
	s.alerts.checked[kind] = now
	s.alerts.mu.Unlock()

	text := fmt.Sprintf("%d requests are waiting for activation with a working link; the cap "+
		"(signup.max_unverified) is %d.\n\nSign-ups now need a proof of work (%d bits) or a wait; at twice "+
		"the cap sign-up pauses. A sudden rise is usually a flood of fake sign-ups: look at the newest "+
		"requests in the Registration screen and their source networks.\n", pr.Live, pr.Cap, pr.Bits)
	var mailed int
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		mailed = 0
		due, err := tx.TakeAlert(ctx, kind, alertEvery)
		if err != nil || !due {
			return err
		}
		approvers, err := tx.Approvers(ctx)
		if err != nil {
			return err
		}
		for _, a := range approvers {
			if a.Email == "" {
				continue
			}
			row := &store.Mail{MessageID: newMessageID(p.String(ParamMailFrom)), Kind: "alert",
				Ref: kind + ":" + a.Name, To: a.Email, Subject: subject, Text: text}
			if err := tx.InsertMail(ctx, row); err != nil {
				return err
			}
			if s.jobs != nil {
				if err := s.jobs.MailQueued(ctx, tx, row.ID); err != nil {
					return err
				}
			}
			mailed++
		}
		s.log.Warn(subject, "alert", kind, "live_unverified", pr.Live, "cap", pr.Cap, "bits", pr.Bits,
			"approvers_mailed", mailed)
		return nil
	})
	if err != nil {
		s.log.Error("sign-up alert", "alert", kind, "err", err)
	}
}
