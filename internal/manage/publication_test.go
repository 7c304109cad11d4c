package manage_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/survey"
)

// TestPublishablePresetAndChoice: a definition's preset makes a free-text
// question publishable until a coordinator decides otherwise; questions
// that are not free text, or personal, can never be.
func TestPublishablePresetAndChoice(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	js := strings.Replace(string(def.JSON()), `"code":"pb_lessons",`, `"code":"pb_lessons","publishable":true,`, 1)
	preset, err := survey.Parse([]byte(js), "preset")
	if err != nil || !preset.Question("pb_lessons").Publishable {
		t.Fatalf("preset definition: %v", err)
	}
	opens := time.Now().Add(-time.Hour)
	sv, _, err := m.EnsureRound(ctx, preset, opens, opens.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := m.Publishable(ctx, domain.OperatorPrincipal(), sv, preset)
	if err != nil || !pub["pb_lessons"] || pub["final_comments"] {
		t.Fatalf("with the preset: %v %v", pub, err)
	}
	if _, ok := pub["resp_name"]; ok {
		t.Error("a personal question is listed")
	}
	if err := m.SetPublishable(ctx, domain.OperatorPrincipal(), sv, preset, "pb_lessons", false); err != nil {
		t.Fatal(err)
	}
	if pub, _ := m.Publishable(ctx, domain.OperatorPrincipal(), sv, preset); pub["pb_lessons"] {
		t.Error("the coordinator's choice does not override the preset")
	}
	for _, code := range []string{"resp_name", "resp_email", "population", "ngo_forms"} {
		if err := m.SetPublishable(ctx, domain.OperatorPrincipal(), sv, preset, code, true); !errors.Is(err, manage.ErrNotPublishable) {
			t.Errorf("%s: %v, want ErrNotPublishable", code, err)
		}
	}
}
