package workflow

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/regdesk/regdesk/store"
)

// Sequence is a number sequence as an operator sees it.
type Sequence struct {
	Name       string `json:"name"`        // registration, customer or user_request
	Param      string `json:"param"`       // the parameter holding its format
	Format     string `json:"format"`      // e.g. REG-{000000}
	Next       int64  `json:"next"`        // the value the next record gets
	NextNumber string `json:"next_number"` // that value in the format, e.g. REG-000042
}

// sequenceParams are the sequences in the order an operator meets them,
// each with the parameter that holds its format.
var sequenceParams = []struct{ name, param string }{
	{store.SeqRegistration, ParamSeqRegistration},
	{store.SeqCustomer, ParamSeqCustomer},
	{store.SeqUserRequest, ParamSeqUserRequest},
}

// SequenceNames lists the sequences, for completion and messages.
func SequenceNames() []string {
	out := make([]string, len(sequenceParams))
	for i, s := range sequenceParams {
		out[i] = s.name
	}
	return out
}

// Sequences shows each number sequence with its format and next number.
func (s *Service) Sequences(ctx context.Context) ([]Sequence, error) {
	q := s.db.Read()
	p, err := s.Params(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("sequences: %w", err)
	}
	out := make([]Sequence, 0, len(sequenceParams))
	for _, sp := range sequenceParams {
		seq, err := sequenceOf(ctx, q, p, sp.name, sp.param)
		if err != nil {
			return nil, fmt.Errorf("sequences: %w", err)
		}
		out = append(out, seq)
	}
	return out, nil
}

func sequenceOf(ctx context.Context, q *store.Queries, p Params, name, param string) (Sequence, error) {
	next, err := q.PeekValue(ctx, name)
	if err != nil {
		return Sequence{}, err
	}
	format := p.String(param)
	number, err := FormatNumber(format, next)
	if err != nil {
		return Sequence{}, fmt.Errorf("format of %s (%s): %w", name, param, err)
	}
	return Sequence{Name: name, Param: param, Format: format, Next: next, NextNumber: number}, nil
}

// SetSequenceNext moves a sequence forward so that its next record gets
// next, with an audit row. It never moves back (numbers already given out
// would come again), nor past what the format's digits hold.
func (s *Service) SetSequenceNext(ctx context.Context, name string, next int64, actor string) (Sequence, error) {
	if err := checkActor(actor); err != nil {
		return Sequence{}, err
	}
	param := ""
	for _, sp := range sequenceParams {
		if sp.name == name {
			param = sp.param
		}
	}
	if param == "" {
		return Sequence{}, &FieldError{Field: "name", Message: fmt.Sprintf("no sequence %q; the sequences are %v", name, SequenceNames())}
	}
	var out Sequence
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		p, err := s.Params(ctx, &tx.Queries)
		if err != nil {
			return err
		}
		cur, err := sequenceOf(ctx, &tx.Queries, p, name, param)
		if err != nil {
			return err
		}
		if next <= cur.Next {
			return &FieldError{Field: "next", Message: fmt.Sprintf(
				"the next %s number is already %s (%d); a sequence only moves forward", name, cur.NextNumber, cur.Next)}
		}
		_, width, _, _ := parseFormat(cur.Format)
		if limit := math.Pow10(width); width < 19 && float64(next) >= limit {
			return &FieldError{Field: "next", Message: fmt.Sprintf(
				"%d has more digits than the format %s holds (%d); change %s first", next, cur.Format, width, param)}
		}
		if _, err := tx.SetNextValue(ctx, name, next); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return &FieldError{Field: "next", Message: "the sequence moved on meanwhile; look again"}
			}
			return err
		}
		if out, err = sequenceOf(ctx, &tx.Queries, p, name, param); err != nil {
			return err
		}
		// The format's parameter names the sequence in the audit trail too.
		return audit(ctx, tx, actor, store.EntityParam, param, "set_next",
			"next number "+cur.NextNumber+" → "+out.NextNumber)
	})
	if err != nil {
		return Sequence{}, fmt.Errorf("set sequence %s: %w", name, err)
	}
	s.log.Info("sequence moved forward", "sequence", name, "next", next, "by", actor)
	return out, nil
}
