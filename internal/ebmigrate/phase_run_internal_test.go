package ebmigrate

import (
	"errors"
	"strings"
	"testing"
)

// TestCheckReviewed: a before_deploy phase applies only what the reviewed
// plan listed; without a reviewed list nothing is checked.
func TestCheckReviewed(t *testing.T) {
	if err := checkReviewed("myapp-prod", []string{"shop.0002"}, nil); err != nil {
		t.Errorf("no reviewed list: %v", err)
	}
	if err := checkReviewed("myapp-prod", []string{"shop.0002"}, []string{"shop.0002", "shop.0003"}); err != nil {
		t.Errorf("a subset of the reviewed list: %v", err)
	}
	err := checkReviewed("myapp-prod", []string{"shop.0002", "shop.0004"}, []string{})
	var pe *ProblemError
	if !errors.As(err, &pe) || pe.Summary != "Phase Differs From The Plan" || pe.Arg != ArgReviewPending ||
		!strings.Contains(pe.Detail, "would apply shop.0002, shop.0004, which the reviewed plan did not list (review.pending: none)") || !strings.Contains(pe.Detail, "Nothing was applied") {
		t.Errorf("an empty reviewed list: %v", err)
	}
}
