package calendar

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// corpusCase is one row of a corpus MANIFEST.tsv.
type corpusCase struct {
	file, licence, what string
	from, to            time.Time
	agree               string
}

// corpusDirs are where the real-world corpus lives: the shared one next to
// the repository (complete) and the copied subset in testdata (always).
var corpusDirs = []string{
	filepath.Join("..", "..", "shared", "testdata"),
	"testdata",
}

func readManifest(t *testing.T, path string) []corpusCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read manifest: %v", err)
	}
	var out []corpusCase
	for i, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if i == 0 || strings.HasPrefix(l, "#") || l == "" {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) < 9 {
			t.Fatalf("%s:%d: %d fields", path, i+1, len(f))
		}
		from, err1 := time.Parse("2006-01-02", f[6])
		to, err2 := time.Parse("2006-01-02", f[7])
		if err1 != nil || err2 != nil {
			t.Fatalf("%s:%d: bad range %q %q", path, i+1, f[6], f[7])
		}
		out = append(out, corpusCase{file: f[0], licence: f[4], what: f[5], from: from, to: to, agree: f[8]})
	}
	return out
}

// expandOracle runs Lull over one corpus file the way the references were
// run: UTC bounds, floating times and dates compared as if in UTC.
func expandOracle(t *testing.T, path string, from, to time.Time) (string, *Calendar, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := Parse(filepath.Base(path), data)
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	if err := WriteOracle(&buf, Expand(cal, from, to, ExpandOptions{Location: time.UTC})); err != nil {
		t.Fatal(err)
	}
	return buf.String(), cal, nil
}

func readExpected(t *testing.T, dir, file, ref string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "ics-expected", file+"."+ref+".tsv"))
	if err != nil {
		t.Fatalf("expected output: %v", err)
	}
	return string(b)
}

// firstDiff describes the first differing line of two outputs.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d: got %q, want %q (got %d lines, want %d)", i+1, gl, wl, len(g)-1, len(w)-1)
		}
	}
	return "equal"
}

// TestCorpusAgreement checks Lull against the reference expanders on every
// corpus file where they agree, byte for byte, and against the decided
// reference (corpusDecisions, documented in doc.go) where they do not.
func TestCorpusAgreement(t *testing.T) {
	ran := false
	for _, dir := range corpusDirs {
		manifest := filepath.Join(dir, "ics", "MANIFEST.tsv")
		if _, err := os.Stat(manifest); err != nil {
			t.Logf("corpus %s absent, skipped", dir)
			continue
		}
		ran = true
		t.Run(filepath.Base(filepath.Dir(dir))+"/"+filepath.Base(dir), func(t *testing.T) {
			runCorpus(t, dir)
		})
	}
	if !ran {
		t.Skip("no corpus found")
	}
}

func runCorpus(t *testing.T, dir string) {
	cases := readManifest(t, filepath.Join(dir, "ics", "MANIFEST.tsv"))
	agreeTotal, agreeOK := 0, 0
	decidedTotal, decidedOK := 0, 0
	var report []string
	for _, c := range cases {
		got, cal, err := expandOracle(t, filepath.Join(dir, "ics", c.file), c.from, c.to)
		if d := os.Getenv("LULL_CORPUS_DUMP"); d != "" {
			os.WriteFile(filepath.Join(d, c.file+".lull.tsv"), []byte(got), 0o644)
		}
		py := readExpected(t, dir, c.file, "py")
		js := readExpected(t, dir, c.file, "icaljs")
		status := ""
		switch {
		case c.agree == "identical":
			agreeTotal++
			if err == nil && got == py {
				agreeOK++
				status = "agree"
			} else {
				status = "MISMATCH"
				if err != nil {
					t.Errorf("%s: references agree, Lull failed: %v", c.file, err)
				} else {
					t.Errorf("%s: references agree, Lull differs: %s", c.file, firstDiff(got, py))
				}
			}
		default:
			d, ok := corpusDecisions[c.file]
			if !ok {
				t.Errorf("%s (%s): no documented decision; py: %s; icaljs: %s", c.file, c.agree, firstDiff(got, py), firstDiff(got, js))
				status = "UNDECIDED"
				break
			}
			decidedTotal++
			want := ""
			switch d.follow {
			case "py":
				want = py
			case "icaljs":
				want = js
			}
			switch {
			case d.follow == "error":
				if err == nil && len(cal.Problems) == 0 {
					t.Errorf("%s: want a parse error or problems (%s)", c.file, d.why)
				} else {
					decidedOK++
				}
			case d.follow == "own":
				if d.check == nil {
					t.Fatalf("%s: own decision without a check", c.file)
				}
				if err != nil {
					t.Errorf("%s: %v", c.file, err)
				} else if msg := d.check(got, cal); msg != "" {
					t.Errorf("%s: %s (%s)", c.file, msg, d.why)
				} else {
					decidedOK++
				}
			case err != nil:
				t.Errorf("%s: Lull failed: %v", c.file, err)
			case got != want:
				t.Errorf("%s: decided to follow %s (%s): %s", c.file, d.follow, d.why, firstDiff(got, want))
			default:
				decidedOK++
			}
			status = "decided:" + d.follow
		}
		report = append(report, fmt.Sprintf("%s\t%s\t%s", c.file, c.agree, status))
	}
	sort.Strings(report)
	t.Logf("references agree on %d files: Lull identical on %d/%d; disagreements decided and matched: %d/%d",
		agreeTotal, agreeOK, agreeTotal, decidedOK, decidedTotal)
	if os.Getenv("LULL_CORPUS_REPORT") != "" {
		body := fmt.Sprintf("# generated by TestCorpusAgreement over %s\n# agree: %d/%d identical; decided: %d/%d\n%s\n",
			dir, agreeOK, agreeTotal, decidedOK, decidedTotal, strings.Join(report, "\n"))
		if err := os.WriteFile(os.Getenv("LULL_CORPUS_REPORT"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// corpusDecision says which behaviour Lull follows on a file where the
// references disagree or failed, and why (see doc.go).
type corpusDecision struct {
	follow string // "py", "icaljs", "error" or "own"
	why    string
	check  func(out string, cal *Calendar) string
}

var corpusDecisions = map[string]corpusDecision{}
