// Command surveybench measures the service beside its baselines (make
// bench): each figure beside a baseline measured in the same run, and the
// ratio.
//
//	surveybench all [-surveyd bin/surveyd] [-quick]
//	        the whole measurement on scratch databases surveybench_*_PID (made
//	        and dropped here): autosave over HTTP beside pgbench running
//	        scripts/bench/save.pgbench, the workbook beside a bare
//	        StreamWriter, the charts page and the printable report beside
//	        /healthz; prints a markdown table and the machine
//	surveybench save -url URL -links FILE -clients N -duration D
//	        autosave load on a running server: each client its own link
//	        from FILE (the links CSV of surveyd invite), PUT
//	        /api/v1/r/{token} with the version it holds, a few answers
//	        changed per save
//	surveybench xlsx-baseline -survey SLUG -o FILE
//	        the bare writer (reports.WriteBaselineXLSX) over a round's rows
//	        read from DATABASE_URL, for measuring beside surveyd export
//
// Configuration: DATABASE_URL (the server the scratch databases are made
// on; all), BENCH_QUICK=1 (as -quick).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage:
  surveybench all [-surveyd bin/surveyd] [-quick]
  surveybench save -url URL -links FILE [-clients N] [-duration D]
  surveybench xlsx-baseline -survey SLUG -o FILE`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "surveybench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("no command\n%s", usage)
	}
	switch args[0] {
	case "all":
		return allCmd(ctx, args[1:])
	case "save":
		return saveCmd(ctx, args[1:])
	case "xlsx-baseline":
		return baselineCmd(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}
