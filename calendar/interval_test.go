package calendar

import (
	"reflect"
	"testing"
	"time"
)

func at(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, time.UTC) }

func TestMerge(t *testing.T) {
	tests := []struct {
		name string
		in   []Interval
		want []Interval
	}{
		{"empty", nil, nil},
		{"overlap", []Interval{{at(9, 0), at(10, 0)}, {at(9, 30), at(11, 0)}}, []Interval{{at(9, 0), at(11, 0)}}},
		{"touching", []Interval{{at(10, 0), at(11, 0)}, {at(9, 0), at(10, 0)}}, []Interval{{at(9, 0), at(11, 0)}}},
		{"contained", []Interval{{at(9, 0), at(12, 0)}, {at(10, 0), at(11, 0)}}, []Interval{{at(9, 0), at(12, 0)}}},
		{"apart", []Interval{{at(13, 0), at(14, 0)}, {at(9, 0), at(10, 0)}}, []Interval{{at(9, 0), at(10, 0)}, {at(13, 0), at(14, 0)}}},
		{"zero length dropped", []Interval{{at(9, 0), at(9, 0)}}, nil},
	}
	for _, tt := range tests {
		if got := Merge(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Merge = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSubtract(t *testing.T) {
	day := Interval{at(9, 0), at(17, 0)}
	got := Subtract(day, []Interval{{at(8, 0), at(9, 30)}, {at(12, 0), at(13, 0)}, {at(16, 0), at(18, 0)}})
	want := []Interval{{at(9, 30), at(12, 0)}, {at(13, 0), at(16, 0)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Subtract = %v, want %v", got, want)
	}
	if got := Subtract(day, nil); !reflect.DeepEqual(got, []Interval{day}) {
		t.Errorf("Subtract(nothing busy) = %v", got)
	}
	if got := Subtract(day, []Interval{{at(8, 0), at(18, 0)}}); got != nil {
		t.Errorf("Subtract(all busy) = %v", got)
	}
}
