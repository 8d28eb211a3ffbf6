package store_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The round-trip tests fill every field of a domain struct with a value no other field of it
// holds, so that a value stored in or read from the wrong column cannot go unnoticed, and a
// field the store forgets comes back zero where a value was written.

var (
	durationType = reflect.TypeFor[time.Duration]()
	timeType     = reflect.TypeFor[time.Time]()
)

// fillDistinct sets every field of the struct ptr points to, except those named in assigned (set
// by the store), to a value that differs from every other field's: strings name the field and
// tag and carry quotes, a backslash, $ and non-ASCII text; numbers, durations and times derive
// from the field's position. A field of a kind it cannot fill fails the test: extend it.
func fillDistinct(t *testing.T, ptr any, tag string, assigned ...string) {
	t.Helper()
	v := reflect.ValueOf(ptr).Elem()
	fillStruct(t, v, tag, seedOf(tag), assigned)
}

// seedOf spreads numbers of different tags apart, so two filled structs differ too.
func seedOf(tag string) int64 {
	var h int64
	for _, r := range tag {
		h = h*31 + int64(r)
	}
	return 1000 + (h%997+997)%997*100
}

func fillStruct(t *testing.T, v reflect.Value, tag string, seed int64, assigned []string) {
	t.Helper()
	typ := v.Type()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if slices.Contains(assigned, f.Name) || notStored[f.Name] {
			continue
		}
		fillValue(t, v.Field(i), tag+"."+f.Name, seed+int64(i))
	}
}

func fillValue(t *testing.T, v reflect.Value, name string, n int64) {
	t.Helper()
	switch {
	case v.Type() == durationType:
		v.SetInt(int64(time.Duration(n) * time.Second)) // whole seconds, as the store keeps them
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(time.UnixMilli(1_780_000_000_000 + n*3_600_123).UTC())) // milliseconds, UTC
	case v.Kind() == reflect.String:
		v.SetString(fmt.Sprintf("%s=%d 'single' \"double\" $HOME \\ üñï ✓", name, n))
	case v.Kind() == reflect.Bool:
		v.SetBool(true)
	case v.Kind() == reflect.Int || v.Kind() == reflect.Int64:
		v.SetInt(n)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		v.SetBytes(fmt.Appendf(nil, `{"field":%q,"n":%d}`, name, n))
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		v.Set(reflect.ValueOf([]string{fmt.Sprintf("%s_a%d", name, n), fmt.Sprintf("%s_b%d", name, n)}))
	case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String && v.Type().Elem().Kind() == reflect.String:
		m := reflect.MakeMap(v.Type())
		for i := range 2 {
			m.SetMapIndex(reflect.ValueOf(fmt.Sprintf("%s_%d", name, i)), reflect.ValueOf(fmt.Sprintf("%s=%d $HOME \\ ü", name, n*10+int64(i))))
		}
		v.Set(m)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillStruct(t, s.Index(i), fmt.Sprintf("%s[%d]", name, i), n*10+int64(i), nil)
		}
		v.Set(s)
	default:
		t.Fatalf("fillDistinct: no value for %s of type %s; teach the test this type", name, v.Type())
	}
}

// assertAllSet fails for every field of the struct ptr points to that holds its zero value.
func assertAllSet(t *testing.T, what string, ptr any) {
	t.Helper()
	v := reflect.ValueOf(ptr).Elem()
	for i := range v.NumField() {
		if v.Field(i).IsZero() && !notStored[v.Type().Field(i).Name] {
			t.Errorf("%s: field %s is zero; the round trip must cover every field", what, v.Type().Field(i).Name)
		}
	}
}

// assertSameFields compares got and want field by field (times with Equal), naming each field
// that differs.
func assertSameFields(t *testing.T, what string, got, want any) {
	t.Helper()
	for _, d := range fieldDiffs(reflect.ValueOf(got), reflect.ValueOf(want), what) {
		t.Error(d)
	}
}

func fieldDiffs(got, want reflect.Value, path string) []string {
	if got.Kind() == reflect.Pointer {
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				return []string{fmt.Sprintf("%s: got %v, want %v", path, got, want)}
			}
			return nil
		}
		return fieldDiffs(got.Elem(), want.Elem(), path)
	}
	switch {
	case got.Type() == timeType:
		if !got.Interface().(time.Time).Equal(want.Interface().(time.Time)) {
			return []string{fmt.Sprintf("%s: got %v, want %v", path, got, want)}
		}
		return nil
	case got.Kind() == reflect.Struct:
		var diffs []string
		for i := range got.NumField() {
			diffs = append(diffs, fieldDiffs(got.Field(i), want.Field(i), path+"."+got.Type().Field(i).Name)...)
		}
		return diffs
	case got.Kind() == reflect.Slice && got.Type().Elem().Kind() == reflect.Struct:
		if got.Len() != want.Len() {
			return []string{fmt.Sprintf("%s: %d elements, want %d", path, got.Len(), want.Len())}
		}
		var diffs []string
		for i := range got.Len() {
			diffs = append(diffs, fieldDiffs(got.Index(i), want.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return diffs
	}
	if !reflect.DeepEqual(got.Interface(), want.Interface()) {
		return []string{fmt.Sprintf("%s: got %#v, want %#v", path, got.Interface(), want.Interface())}
	}
	return nil
}

// columnMap says which struct field each column of a table holds. The test writes it by hand,
// independently of the store's own column lists, so a column list whose insert and select
// agree with each other but not with the schema still fails.
type columnMap map[string]string

// assertColumns reads the row of table matching where (with args) straight from the SQLite file and
// compares each column with the field the map names, encoded as the schema keeps it: durations
// as whole seconds, times as Unix milliseconds, booleans as 0/1, drift as JSON. Every column of
// the table and every field of the struct (but those in unmapped) must be in the map.
func assertColumns(t *testing.T, raw *sql.DB, table, where string, args []any, cols columnMap, ptr any, unmapped ...string) {
	t.Helper()
	v := reflect.ValueOf(ptr).Elem()
	mapped := map[string]bool{}
	for _, field := range cols {
		mapped[field] = true
	}
	for i := range v.NumField() {
		if name := v.Type().Field(i).Name; !mapped[name] && !slices.Contains(unmapped, name) && !notStored[name] {
			t.Errorf("%s: field %s is in no column of the test's map; add its column", table, name)
		}
	}
	rows, err := raw.Query(`SELECT * FROM `+table+` WHERE `+where, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	names, _ := rows.Columns()
	if !rows.Next() {
		t.Fatalf("%s: no row where %s %v", table, where, args)
	}
	vals := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	for i, col := range names {
		field, ok := cols[col]
		if ok && field == derivedColumn {
			continue
		}
		if !ok {
			t.Errorf("%s: column %s is not in the test's map; add the field it holds", table, col)
			continue
		}
		if field == "" {
			continue // a column that holds no field of this struct (a key checked by the caller)
		}
		want := columnValue(t, v.FieldByName(field))
		if got := normalize(vals[i]); !reflect.DeepEqual(got, want) {
			t.Errorf("%s.%s holds %#v, want %s's value %#v", table, col, got, field, want)
		}
	}
}

func columnValue(t *testing.T, f reflect.Value) any {
	t.Helper()
	switch {
	case f.Type() == durationType:
		return int64(f.Interface().(time.Duration) / time.Second)
	case f.Type() == timeType:
		if tm := f.Interface().(time.Time); !tm.IsZero() {
			return tm.UnixMilli()
		}
		return int64(0)
	case f.Kind() == reflect.Bool:
		if f.Bool() {
			return int64(1)
		}
		return int64(0)
	case f.Kind() == reflect.Int || f.Kind() == reflect.Int64:
		return f.Int()
	case f.Kind() == reflect.String:
		return f.String()
	case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Uint8:
		return string(f.Bytes())
	case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
		return strings.Join(f.Interface().([]string), ",") // a list of field names, comma-separated
	case f.Kind() == reflect.Slice || f.Kind() == reflect.Map:
		b, err := json.Marshal(f.Interface())
		if err != nil {
			t.Fatal(err)
		}
		return canonicalJSON(t, string(b))
	}
	t.Fatalf("no column encoding for %s", f.Type())
	return nil
}

// normalize turns what the driver returns into int64 or string; JSON arrays are re-encoded so
// that spacing does not matter.
func normalize(v any) any {
	switch x := v.(type) {
	case []byte:
		return normalize(string(x))
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case string:
		if strings.HasPrefix(x, "[") {
			var a any
			if json.Unmarshal([]byte(x), &a) == nil {
				b, _ := json.Marshal(a)
				return string(b)
			}
		}
	}
	return v
}

func canonicalJSON(t *testing.T, s string) string {
	t.Helper()
	var a any
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(a)
	return string(b)
}

func valueOf(ptr any) reflect.Value { return reflect.ValueOf(ptr).Elem() }

// derivedColumn marks a column no struct field holds: the database derives it (a trigger).
const derivedColumn = "-"

// notStored are fields the store fills when it reads a row, never from a column of their own:
// Connection.Unreadable names the stored values it could not read.
var notStored = map[string]bool{"Unreadable": true}
