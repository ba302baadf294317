package sample

import (
	"testing"

	"github.com/regdesk/regdesk/workflow"
)

func TestSampleTaxID(t *testing.T) {
	checked := map[string]bool{"DE": true, "FR": true, "GB": true, "NL": true, "SE": true, "IT": true, "DK": true}
	for _, pl := range seedPlaces {
		for _, n := range []int{0, 7, 123456789, 999999999} {
			id := sampleTaxID(pl.country, n, false)
			if p := workflow.TaxIDProblem(id, pl.country); p != "" {
				t.Errorf("%s: sample id %s is refused: %s", pl.country, id, p)
			}
			bad := sampleTaxID(pl.country, n, true)
			if checked[pl.country] && workflow.TaxIDProblem(bad, pl.country) == "" {
				t.Errorf("%s: the bad sample id %s passes", pl.country, bad)
			}
		}
	}
}
