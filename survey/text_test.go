package survey

import (
	"math/big"
	"slices"
	"strings"
	"testing"
)

func rat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("bad number %q", s)
	}
	return r
}

// TestFormatting: one style per language — Latvian "120 000,50 EUR" and
// "93 %" with no-break spaces, English "120,000.50 EUR" and "93%"; money
// always with two decimals.
func TestFormatting(t *testing.T) {
	t.Parallel()
	const nb = "\u00a0"
	for _, c := range []struct {
		what, in, lang, want string
		f                    func(*big.Rat, string) string
	}{
		{"money", "120000.5", "lv", "120" + nb + "000,50" + nb + "EUR", FormatMoney},
		{"money", "120000.5", "en", "120,000.50" + nb + "EUR", FormatMoney},
		{"money", "5", "lv", "5,00" + nb + "EUR", FormatMoney},
		{"money", "1234.567", "en", "1234.57" + nb + "EUR", FormatMoney},
		{"money", "-0.001", "lv", "0,00" + nb + "EUR", FormatMoney},
		{"money", "-1500000.125", "lv", "-1" + nb + "500" + nb + "000,13" + nb + "EUR", FormatMoney},
		{"percent", "93", "lv", "93" + nb + "%", FormatPercent},
		{"percent", "93", "en", "93%", FormatPercent},
		{"percent", "12.5", "lv", "12,5" + nb + "%", FormatPercent},
		{"percent", "12.5", "en", "12.5%", FormatPercent},
		{"number", "12345.5", "lv", "12" + nb + "345,5", func(r *big.Rat, l string) string { return FormatNumber(r, l, true) }},
		{"number", "12345.5", "en", "12,345.5", func(r *big.Rat, l string) string { return FormatNumber(r, l, true) }},
		// A negative number that rounds to zero at 12 places is "0", not "-0".
		{"number", "-0.0000000000001", "lv", "0", func(r *big.Rat, l string) string { return FormatNumber(r, l, true) }},
		{"number", "-0.0000000000006", "en", "-0.000000000001", func(r *big.Rat, l string) string { return FormatNumber(r, l, true) }},
		{"year", "2024", "en", "2024", func(r *big.Rat, l string) string { return FormatQuantity(Year, r, l) }},
		{"int", "43000", "lv", "43" + nb + "000", func(r *big.Rat, l string) string { return FormatQuantity(Int, r, l) }},
		{"quantity money", "7", "en", "7.00" + nb + "EUR", func(r *big.Rat, l string) string { return FormatQuantity(Money, r, l) }},
		{"quantity percent", "72", "lv", "72" + nb + "%", func(r *big.Rat, l string) string { return FormatQuantity(Percent, r, l) }},
	} {
		if got := c.f(rat(t, c.in), c.lang); got != c.want {
			t.Errorf("%s %s in %s = %q, want %q", c.what, c.in, c.lang, got, c.want)
		}
	}
	if got := FormatFloat(-1e-13, -1, "lv", true); got != "0" {
		t.Errorf("FormatFloat(-1e-13) = %q, want 0", got)
	}
	if got := FormatFixed(FloatRat(2.0/3, -1), 1, "lv"); got != "0,7" {
		t.Errorf("FormatFixed(2/3, 1) = %q", got)
	}
	if got := FloatRat(0.125, 2).FloatString(3); got != "0.130" {
		t.Errorf("FloatRat(0.125, 2) = %s", got)
	}
}

// TestCollate: Latvian names in the Latvian alphabet (ā after a, ķ after
// k …), English names in the English one.
func TestCollate(t *testing.T) {
	t.Parallel()
	lv := []string{"Ādažu novads", "Ogres novads", "Alūksnes novads", "Ķekavas novads", "Krāslavas novads",
		"Cēsu novads", "Cibla", "Žagare", "Zilupes novads", "Rīgas valstspilsēta", "Rēzeknes novads",
		"Olaines novads", "Aizkraukles novads", "Jelgavas valstspilsēta", "Jelgavas novads", "Līvānu novads",
		"Limbažu novads", "Ludzas novads", "Šķēde", "Saulkrastu novads", "Ūdrīši", "Upesciems"}
	want := []string{"Aizkraukles novads", "Alūksnes novads", "Ādažu novads", "Cēsu novads", "Cibla",
		"Jelgavas novads", "Jelgavas valstspilsēta", "Krāslavas novads", "Ķekavas novads", "Limbažu novads",
		"Līvānu novads", "Ludzas novads", "Ogres novads", "Olaines novads", "Rēzeknes novads", "Rīgas valstspilsēta",
		"Saulkrastu novads", "Šķēde", "Upesciems", "Ūdrīši", "Zilupes novads", "Žagare"}
	got := slices.Clone(lv)
	SortByName(got, "lv", func(s string) string { return s })
	if !slices.Equal(got, want) {
		t.Errorf("Latvian order:\n got %s\nwant %s", strings.Join(got, ", "), strings.Join(want, ", "))
	}
	for _, p := range [][2]string{{"Alūksnes", "Ādažu"}, {"Krāslavas", "Ķekavas"}, {"Ogres", "Olaines"},
		{"Cibla", "Čiekurkalns"}, {"Zilupe", "Žagare"}, {"Ludza", "Ļaudona"}, {"Nīca", "Ņukši"}, {"Gulbene", "Ģipka"},
		{"Siguldas", "Šķēde"}, {"Ventspils novads", "Ventspils valstspilsēta"}, {"riga", "Rīga"}} {
		if Collate("lv", p[0], p[1]) >= 0 || Collate("lv", p[1], p[0]) <= 0 {
			t.Errorf("Latvian: %q should come before %q", p[0], p[1])
		}
	}
	en := []string{"Kekava Municipality", "Adazi Municipality", "Aluksne Municipality", "Aizkraukle Municipality",
		"Riga State City", "Rezekne Municipality", "Rezekne State City", "cesis"}
	SortByName(en, "en", func(s string) string { return s })
	wantEN := []string{"Adazi Municipality", "Aizkraukle Municipality", "Aluksne Municipality", "cesis",
		"Kekava Municipality", "Rezekne Municipality", "Rezekne State City", "Riga State City"}
	if !slices.Equal(en, wantEN) {
		t.Errorf("English order:\n got %s\nwant %s", strings.Join(en, ", "), strings.Join(wantEN, ", "))
	}
	// In English, diacritics only break ties: Ādaži among the A's by its
	// letters, not after every A.
	if Collate("en", "Ādaži", "Aizkraukle") >= 0 || Collate("en", "Adazi", "Ādaži") >= 0 {
		t.Error("English order should read Ā as A")
	}
	if Collate("lv", "Rīga", "Rīga") != 0 || Collate("lv", "Rīga", "RĪGA") == 0 {
		t.Error("Collate is 0 only for the same string")
	}
}

// TestCategoryLabel: where answers are counted, the "other" option is
// "Cits", not the form's "Cits (norādiet)".
func TestCategoryLabel(t *testing.T) {
	t.Parallel()
	q := regional(t).Question("ngo_forms")
	if !q.Other || q.Option("grants") == nil {
		t.Fatal("ngo_forms should have an option grants and other")
	}
	if got := q.CategoryLabel(OtherCode); got.LV != "Cits" || got.EN != "Other" {
		t.Errorf("other = %+v", got)
	}
	if got, want := q.CategoryLabel("grants"), q.Option("grants").Text; got != want {
		t.Errorf("grants = %+v, want %+v", got, want)
	}
	if last := q.AllOptions()[len(q.AllOptions())-1]; last.Text.LV != "Cits (norādiet)" {
		t.Errorf("the form's option = %+v", last.Text)
	}
	if got := q.CategoryLabel("nope"); got.LV != "nope" {
		t.Errorf("unknown = %+v", got)
	}
}
