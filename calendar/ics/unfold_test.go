package ics

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// unfoldOneByOne is unfold as first written: each continuation appended
// to the line before it. unfold must give the same lines.
func unfoldOneByOne(text string) []line {
	var out []line
	no := 0
	for len(text) > 0 {
		no++
		i := strings.IndexByte(text, '\n')
		var l string
		if i < 0 {
			l, text = text, ""
		} else {
			l, text = text[:i], text[i+1:]
		}
		l = strings.TrimSuffix(l, "\r")
		if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') && len(out) > 0 {
			out[len(out)-1].text += l[1:]
			continue
		}
		if strings.TrimSpace(l) == "" {
			continue
		}
		out = append(out, line{no: int32(no), text: l})
	}
	return out
}

// TestUnfold: folded lines, blank lines between a line and its
// continuation, whitespace-only and leading-space lines, CRLF.
func TestUnfold(t *testing.T) {
	texts := []string{
		"A:1\n B\n\tC\nD:2\n",
		"A:1\n\n B\n \n  \nD:2",
		" A:1\n B\nC:2\r\n D\r\n\r\n E\r\n",
		" \n X\n Y\nZ:1\n",
		"\v\n X\nA:1\n\t\n",
		"A:1\n \n",
		"\n\n B",
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "ics", "*.ics"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, normalizeText(string(data)))
	}
	for _, text := range texts {
		got, want := unfold(nil, text, 1), unfoldOneByOne(text)
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("unfold(%.60q):\n got %+v\nwant %+v", text, got, want)
		}
	}
}
