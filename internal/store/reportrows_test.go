package store_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/civitas-lv/surveyd/internal/store"
)

// TestSnapshotStreamsRowsInBatches: within a snapshot the report rows and
// the tracker's rows come through cursors, more than one batch of them: each
// pass yields every municipality once, in the order asked for, as a plain
// read does; a pass broken off early leaves the snapshot usable for the next.
func TestSnapshotStreamsRowsInBatches(t *testing.T) {
	f := newFixture(t)
	var more []store.Municipality
	for i := range 1234 { // over two batches of 500 with the 43
		more = append(more, store.Municipality{Code: fmt.Sprintf("sim-%04d", i), NameLV: fmt.Sprintf("Sim %d", i), NameEN: fmt.Sprintf("Sim %d", i),
			Kind: "novads", PlanningRegion: "Rīgas", StatisticalRegion: "Rīgas"})
	}
	if _, err := f.s.UpsertMunicipalities(ctx, more); err != nil {
		t.Fatal(err)
	}
	if _, err := f.apply(t, 0, `{"population": 7}`, true); err != nil {
		t.Fatal(err)
	}
	var plain []string
	for r, err := range f.s.ReportRows(ctx, f.sv.ID, nil) {
		if err != nil {
			t.Fatal(err)
		}
		plain = append(plain, r.Code)
	}
	if len(plain) != 1234+43 {
		t.Fatalf("%d rows read plainly", len(plain))
	}
	order := slices.Clone(plain)
	slices.Reverse(order)
	order = order[:1000] // the rest follow by code
	want := append(slices.Clone(order), plain[:len(plain)-1000]...)
	err := f.s.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
		for pass := range 2 {
			var got []string
			for r, err := range sn.ReportRows(ctx, f.sv.ID, order) {
				if err != nil {
					return err
				}
				got = append(got, r.Code)
				if r.Code == "riga" && (r.SubmittedJSON == nil || string(r.AnswersJSON) != "{}") {
					t.Errorf("riga: submitted %s, working copy %s (want only the submitted one)", r.SubmittedJSON, r.AnswersJSON)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("pass %d: %d rows, not in the order asked for", pass, len(got))
			}
			n := 0
			for _, err := range sn.ReportRows(ctx, f.sv.ID, order) {
				if err != nil {
					return err
				}
				if n++; n == 700 {
					break
				}
			}
		}
		tracked, err := sn.Tracker(ctx, f.sv.ID)
		if err != nil {
			return err
		}
		var streamed []string
		for r, err := range sn.TrackerRows(ctx, f.sv.ID) {
			if err != nil {
				return err
			}
			streamed = append(streamed, r.Code)
		}
		codes := make([]string, len(tracked))
		for i, r := range tracked {
			codes[i] = r.Code
		}
		if !slices.Equal(streamed, codes) {
			t.Errorf("the tracker streamed %d rows, read whole %d", len(streamed), len(codes))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotSmallRoundsInOneStatement: in a snapshot, a round whose rows
// fit in one cursor batch is read by one statement (one round trip, not a
// cursor's four), with the same rows in the same order as read plainly; at
// one row more than a batch, every row still comes, through the cursor.
func TestSnapshotSmallRoundsInOneStatement(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.apply(t, 0, `{"population": 7}`, true); err != nil {
		t.Fatal(err)
	}
	add := func(from, n int) {
		t.Helper()
		var more []store.Municipality
		for i := from; i < from+n; i++ {
			more = append(more, store.Municipality{Code: fmt.Sprintf("sim-%04d", i), NameLV: fmt.Sprintf("Sim %d", i),
				NameEN: fmt.Sprintf("Sim %d", i), Kind: "novads", PlanningRegion: "Rīgas", StatisticalRegion: "Rīgas"})
		}
		if _, err := f.s.UpsertMunicipalities(ctx, more); err != nil {
			t.Fatal(err)
		}
	}
	check := func(rows int, maxTrips uint64) {
		t.Helper()
		var plain, plainTracked []string
		for r, err := range f.s.ReportRows(ctx, f.sv.ID, nil) {
			if err != nil {
				t.Fatal(err)
			}
			plain = append(plain, r.Code)
		}
		tracked, err := f.s.Tracker(ctx, f.sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range tracked {
			plainTracked = append(plainTracked, r.Code)
		}
		order := slices.Clone(plain)
		slices.Reverse(order)
		err = f.s.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
			var got, gotTracked []string
			before := f.s.RoundTrips()
			for r, err := range sn.ReportRows(ctx, f.sv.ID, order) {
				if err != nil {
					return err
				}
				got = append(got, r.Code)
			}
			if trips := f.s.RoundTrips() - before; trips > maxTrips {
				t.Errorf("%d rows: read in %d round trips, want at most %d", rows, trips, maxTrips)
			}
			for r, err := range sn.TrackerRows(ctx, f.sv.ID) {
				if err != nil {
					return err
				}
				gotTracked = append(gotTracked, r.Code)
			}
			if len(got) != rows || !slices.Equal(got, order) {
				t.Errorf("%d rows: the snapshot read %d, not in the order asked for", rows, len(got))
			}
			if !slices.Equal(gotTracked, plainTracked) || len(gotTracked) != rows {
				t.Errorf("%d rows: the snapshot's tracker read %d, plainly %d", rows, len(gotTracked), len(plainTracked))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check(43, 2) // the statement, prepared the first time it runs on the connection
	add(0, 500-43)
	check(500, 2)
	add(500-43, 1)
	check(501, 100)
}
