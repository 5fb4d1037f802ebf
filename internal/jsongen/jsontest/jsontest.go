// Package jsontest fills values at random for the tests that hold code
// written by package jsongen to encoding/json's output.
package jsontest

import (
	"math/rand/v2"
	"reflect"
	"time"
)

// Strings are the strings Fill picks from: plain, and every kind of
// character encoding/json escapes or replaces.
var Strings = []string{"", "CN=cucm8-pub.clus2.lab", `a "quoted" \\ name`, "<&>", "\n\t\x00\x1f\x7f",
	"é 日本 🎉", "\u2028\u2029", "\xff\xfe\xc3", "\u0085\u200b"}

// Fill sets every exported field reachable from v to a random value: nil,
// empty or filled slices and pointers. special fills the values of the
// types it knows (it reports true for them), such as a time type whose
// range matters; it may be nil.
func Fill(r *rand.Rand, v reflect.Value, special func(*rand.Rand, reflect.Value) bool) {
	fill(r, v, 0, special)
}

func fill(r *rand.Rand, v reflect.Value, depth int, special func(*rand.Rand, reflect.Value) bool) {
	if special != nil && special(r, v) {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(Strings[r.IntN(len(Strings))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(r.Int64() >> r.IntN(64))
		if v.OverflowInt(v.Int()) {
			v.SetInt(int64(int8(v.Int())))
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(r.Uint64() >> r.IntN(64))
		if v.OverflowUint(v.Uint()) {
			v.SetUint(uint64(uint8(v.Uint())))
		}
	case reflect.Pointer:
		if depth > 4 || r.IntN(3) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(r, v.Elem(), depth+1, special)
	case reflect.Slice:
		switch n := r.IntN(5); {
		case n == 0 || depth > 4:
			v.SetZero() // nil: null
		default:
			v.Set(reflect.MakeSlice(v.Type(), n-1, n-1)) // n-1 == 0: empty, []
			for i := range n - 1 {
				fill(r, v.Index(i), depth+1, special)
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				fill(r, f, depth+1, special)
			}
		}
	}
}

// Times is a special for Fill: a struct whose only field is a time.Time
// (such as triage.Time) gets any instant, years beyond 9999 too.
func Times(r *rand.Rand, v reflect.Value) bool {
	t := v.Type()
	if t.Kind() != reflect.Struct || t.NumField() != 1 || t.Field(0).Type != reflect.TypeFor[time.Time]() || !v.Field(0).CanSet() {
		return false
	}
	v.Field(0).Set(reflect.ValueOf(time.Unix(r.Int64N(1<<40)-1<<39, r.Int64N(1e9)).UTC()))
	return true
}
