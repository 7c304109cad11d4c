package survey

import "strings"

// MergeResult is the outcome of Merge.
type MergeResult struct {
	// Answers are theirs with my changes applied, canonical (checked in
	// draft mode). Meaningful only when there are no Conflicts.
	Answers Answers
	// Cleared lists the answers removed because their question is hidden.
	Cleared []string
	// Theirs and Mine list, in questionnaire order, the questions whose
	// answers each side changed since the base.
	Theirs, Mine []string
	// Conflicts lists, in questionnaire order, the questions on which the
	// two sets of changes cannot both be kept: both changed the answer
	// differently, or together the changes would hide an answer (then the
	// hidden question and the changed questions its show_if depends on).
	Conflicts []string
	// Warnings are the cross-field rules the merged answers break.
	Warnings map[string]Text
}

// Merge combines two sets of changes made from the same base answers:
// theirs, already stored, and mine, being saved. Each is a whole, canonical
// answer set. A question changed on one side only takes that side's answer;
// a question both changed to the same answer is no conflict. Nothing either
// side changed is dropped without a conflict being reported, so a merge that
// succeeds loses nothing.
func (d *Definition) Merge(base, theirs, mine Answers) MergeResult {
	myKeys := changedKeys(base, mine)
	theirKeys := changedKeys(base, theirs)
	myCodes, theirCodes := d.codesOf(myKeys), d.codesOf(theirKeys)

	conflict := map[string]bool{}
	for code := range myCodes {
		if !theirCodes[code] {
			continue
		}
		for _, k := range d.keysOf(code) {
			if !sameValue(theirs[k], mine[k]) {
				conflict[code] = true
			}
		}
	}

	next := theirs.Clone()
	for k := range myKeys {
		if v, ok := mine[k]; ok {
			next[k] = v
		} else {
			delete(next, k)
		}
	}
	res := d.Validate(next, Draft)
	out := MergeResult{Answers: res.Answers, Cleared: res.Cleared, Warnings: res.Warnings}
	changed := func(code string) bool { return myCodes[code] || theirCodes[code] }
	// Both sets are valid on their own; whatever the mix hides or refuses
	// is a conflict of the questions involved.
	for _, k := range res.Cleared {
		code := d.codeOf(k)
		if changed(code) {
			conflict[code] = true
		}
		for _, dep := range d.dependsOn(code) {
			if changed(dep) {
				conflict[dep] = true
			}
		}
	}
	for k := range res.Errors {
		conflict[d.codeOf(k)] = true
	}
	for _, q := range d.order {
		if conflict[q.Code] {
			out.Conflicts = append(out.Conflicts, q.Code)
		}
		if theirCodes[q.Code] {
			out.Theirs = append(out.Theirs, q.Code)
		}
		if myCodes[q.Code] {
			out.Mine = append(out.Mine, q.Code)
		}
	}
	return out
}

// changedKeys are the answer keys whose values differ between a and b.
func changedKeys(a, b Answers) map[string]bool {
	out := map[string]bool{}
	before, after := Diff(a, b)
	for k := range before {
		out[k] = true
	}
	for k := range after {
		out[k] = true
	}
	return out
}

// codeOf is the question an answer key belongs to ("x_other" → "x").
func (d *Definition) codeOf(key string) string {
	if d.questions[key] != nil {
		return key
	}
	if base, ok := strings.CutSuffix(key, otherKey); ok && d.questions[base] != nil {
		return base
	}
	return key
}

func (d *Definition) codesOf(keys map[string]bool) map[string]bool {
	out := make(map[string]bool, len(keys))
	for k := range keys {
		out[d.codeOf(k)] = true
	}
	return out
}

// keysOf are the answer keys of a question: its code and its "other" text.
func (d *Definition) keysOf(code string) []string {
	if q := d.questions[code]; q != nil && q.Other {
		return []string{code, q.OtherKey()}
	}
	return []string{code}
}

// dependsOn lists the questions whose answers decide, directly or through
// other conditions, whether the question is shown.
func (d *Definition) dependsOn(code string) []string {
	var out []string
	seen := map[string]bool{code: true}
	var walk func(c string)
	walk = func(c string) {
		q := d.questions[c]
		if q == nil || q.showIf == nil {
			return
		}
		for _, r := range q.showIf.Refs() {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
				walk(r)
			}
		}
	}
	walk(code)
	return out
}
