package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlagSet returns a flag set whose errors and --help go to e, in the usage-error style.
func newFlagSet(name, summary string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet("wifwiz "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: wifwiz %s\n\n", summary)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		fmt.Fprintln(e.stdout, "\nEvery flag may also come from WIFWIZ_<FLAG> (e.g. --client-id from WIFWIZ_CLIENT_ID).")
	}
	return fs
}

// errHelp is returned by parseFlags after printing --help.
var errHelp = errors.New("help shown")

// parseFlags parses args, then fills every flag not given on the command line from its
// WIFWIZ_* environment variable (--client-id ← WIFWIZ_CLIENT_ID).
func parseFlags(fs *flag.FlagSet, args []string, e env) error {
	// flag calls Usage on every parse error too; the help goes to stdout only for --help, so a
	// mistake stays one line on stderr.
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return errHelp
		}
		return usagef("%v (run with --help for the flags)", err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (run with --help for the flags)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		name := envName(f.Name)
		if v := e.getenv(name); v != "" {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = usagef("%s=%q: %v", name, v, serr)
			}
		}
	})
	return err
}

func envName(flagName string) string {
	return "WIFWIZ_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}
