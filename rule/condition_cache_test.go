package rule

import (
	"context"
	"testing"
)

// TestCheckConditionCompilesOnce: a condition checked again is evaluated with the program
// compiled the first time, and gives the same verdicts for other claims; a compile error is
// kept too.
func TestCheckConditionCompilesOnce(t *testing.T) {
	const src = `claims.sub.startsWith("ak-cache-")`
	first := CheckCondition(context.Background(), src, map[string]any{"sub": "ak-cache-1"})
	c, _ := compiled.get(src)
	again := CheckCondition(context.Background(), src, map[string]any{"sub": "someone-else"})
	if c2, _ := compiled.get(src); c2 != c {
		t.Fatal("the condition was compiled again")
	}
	if !first.Result.OK || again.Result.OK {
		t.Fatalf("verdicts: %v then %v", first.Result.OK, again.Result.OK)
	}
	bad := `claims.sub +`
	for range 2 {
		if r := CheckCondition(context.Background(), bad, nil); r.Err == nil {
			t.Fatal("a condition that does not compile passed")
		}
	}
}
