package rule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/parser"
)

// Limits on a condition. MaxConditionLength is Anthropic's; the cost limit and the evaluation
// time are wifwiz's own bounds (Anthropic does not publish its limits).
const (
	MaxConditionLength = 4096
	MaxCost            = 100_000
	MaxEvalTime        = time.Second
)

// Condition is a compiled CEL condition over the variable claims.
type Condition struct {
	Source string
	ast    *cel.Ast
	prg    cel.Program
}

// CompileError says why a condition cannot be used; Anthropic refuses such a rule with a 400.
type CompileError struct {
	Condition string
	Problem   string // what is wrong, for a person
}

func (e *CompileError) Error() string { return "condition: " + e.Problem }

// env declares only claims, a map from claim name to any JSON value, so that a reference to
// anything else fails to compile, as it does at Anthropic. Only CEL's standard library is enabled:
// which extensions Anthropic enables is not documented.
var env = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable("claims", cel.MapType(cel.StringType, cel.DynType)),
		cel.EnableMacroCallTracking(),
		cel.ParserExpressionSizeLimit(MaxConditionLength),
	)
})

// Compile parses and type-checks a condition the way Anthropic validates one: at most 4096
// characters, only claims referenced, a bool result, and not constant true.
func Compile(src string) (*Condition, error) {
	if err := checkLength(src); err != nil {
		return nil, err
	}
	e, err := env()
	if err != nil {
		return nil, fmt.Errorf("condition environment: %w", err)
	}
	checked, iss := e.Compile(src)
	if iss.Err() != nil {
		return nil, &CompileError{src, "does not compile: " + oneLine(iss.Err().Error())}
	}
	if !checked.OutputType().IsExactType(cel.BoolType) {
		return nil, &CompileError{src, fmt.Sprintf("must evaluate to a bool, not %s — compare the claim, e.g. claims.flag == true", checked.OutputType())}
	}
	if constantTrue(e, checked.NativeRep(), checked.NativeRep().Expr()) {
		return nil, &CompileError{src, "is always true, so it would match every token — test a claim, e.g. claims.sub == \"…\""}
	}
	prg, err := e.Program(checked, cel.EvalOptions(cel.OptTrackState, cel.OptTrackCost),
		cel.CostLimit(MaxCost), cel.InterruptCheckFrequency(100))
	if err != nil {
		return nil, &CompileError{src, "cannot be planned: " + oneLine(err.Error())}
	}
	return &Condition{Source: src, ast: checked, prg: prg}, nil
}

func checkLength(src string) error {
	switch n := utf8.RuneCountInString(src); {
	case strings.TrimSpace(src) == "":
		return &CompileError{src, "is empty"}
	case n > MaxConditionLength:
		return &CompileError{src, fmt.Sprintf("is %d characters long; at most %d are allowed", n, MaxConditionLength)}
	}
	return nil
}

// constantTrue reports whether the condition is true whatever the claims: a claim-free
// expression that evaluates to true, or an || with such an operand, or an && of only such
// operands. cel-go's constant folding would answer too, but it evaluates without a cost limit.
func constantTrue(e *cel.Env, a *ast.AST, x ast.Expr) bool {
	if !refersToClaims(x) {
		return claimFreeTrue(e, a, x)
	}
	if x.Kind() != ast.CallKind {
		return false
	}
	call := x.AsCall()
	switch call.FunctionName() {
	case operators.LogicalOr:
		return slices.ContainsFunc(call.Args(), func(arg ast.Expr) bool { return constantTrue(e, a, arg) })
	case operators.LogicalAnd:
		return !slices.ContainsFunc(call.Args(), func(arg ast.Expr) bool { return !constantTrue(e, a, arg) })
	}
	return false
}

func refersToClaims(x ast.Expr) bool {
	if x.Kind() == ast.IdentKind {
		return x.AsIdent() == "claims"
	}
	if x.Kind() == ast.ComprehensionKind {
		c := x.AsComprehension()
		return slices.ContainsFunc([]ast.Expr{c.IterRange(), c.AccuInit(), c.LoopCondition(), c.LoopStep(), c.Result()}, refersToClaims)
	}
	return slices.ContainsFunc(children(x), refersToClaims)
}

// claimFreeTrue evaluates a sub-expression that reads no claim, within the cost limit.
func claimFreeTrue(e *cel.Env, a *ast.AST, x ast.Expr) bool {
	src, err := parser.Unparse(x, a.SourceInfo())
	if err != nil {
		return false
	}
	sub, iss := e.Compile(src)
	if iss.Err() != nil {
		return false
	}
	prg, err := e.Program(sub, cel.CostLimit(MaxCost))
	if err != nil {
		return false
	}
	out, _, err := prg.Eval(map[string]any{"claims": map[string]any{}})
	return err == nil && out == types.True
}

// ConditionResult is the verdict of a condition on one token's claims. On false, False lists the
// sub-expressions that made it false with the claim values they read; on an evaluation error,
// Err is the error and ErrorAt the sub-expression that raised it.
type ConditionResult struct {
	Result
	Value   bool
	Err     error
	ErrorAt string
	False   []Leaf
	Cost    uint64
}

// Leaf is one false sub-expression and the claim values it read.
type Leaf struct {
	Expr  string
	Reads []Read
}

// Read is one claim reference and the value observed for it.
type Read struct {
	Expr  string
	Value string
}

func (l Leaf) String() string {
	if len(l.Reads) == 0 {
		return l.Expr
	}
	parts := make([]string, len(l.Reads))
	for i, r := range l.Reads {
		parts[i] = r.Expr + " = " + r.Value
	}
	return fmt.Sprintf("%s (%s)", l.Expr, strings.Join(parts, ", "))
}

// CheckCondition compiles and evaluates src; a compile error is a failed result naming it.
func CheckCondition(ctx context.Context, src string, claims map[string]any) ConditionResult {
	c, err := compiled.get(src)
	if err != nil {
		r := ConditionResult{Result: Result{Matcher: MatcherCondition, Expected: conditionExpected(src), Actual: "does not compile"}}
		r.Err = err
		r.Result = r.fail(ReasonCondition, "The rule's condition "+err.Error()+".", "Correct the condition in the Console (CEL over the variable claims).")
		return r
	}
	return c.Eval(ctx, claims)
}

// Eval evaluates the condition on claims. Anything but true is a denial: false, or an evaluation
// error (a missing claim, a wrong type, the cost limit or ctx's deadline).
func (c *Condition) Eval(ctx context.Context, claims map[string]any) ConditionResult {
	r := ConditionResult{Result: Result{Matcher: MatcherCondition, Expected: conditionExpected(c.Source)}}
	ctx, cancel := context.WithTimeout(ctx, MaxEvalTime)
	defer cancel()
	out, det, err := c.prg.ContextEval(ctx, map[string]any{"claims": normalize(claims)})
	if det != nil && det.ActualCost() != nil {
		r.Cost = *det.ActualCost()
	}
	ex := explainer{ast: c.ast.NativeRep(), det: det}
	switch {
	case err != nil:
		return r.evalError(err, ex)
	case out == types.True:
		r.OK, r.Value, r.Actual, r.Message = true, true, "true", "The rule's condition is true for this token."
		return r
	}
	r.False = ex.falseLeaves(ex.ast.Expr())
	r.Actual = "false"
	r.Result = r.fail(ReasonCondition, falseMessage(r.False), "Change the condition in the Console, or make authentik emit the claim values it tests (a scope mapping on the provider).")
	return r
}

func (r ConditionResult) evalError(err error, ex explainer) ConditionResult {
	r.Err = err
	r.ErrorAt = ex.errorOrigin(ex.ast.Expr())
	r.Actual = "error: " + oneLine(err.Error())
	msg := "Evaluating the rule's condition failed"
	if r.ErrorAt != "" {
		msg += " at " + r.ErrorAt
	}
	msg += ": " + explainEvalError(err) + ". Anthropic treats that as no match."
	fix := "Make the condition robust to that token, e.g. guard a claim with has(claims.name) && …, or make authentik emit the claim."
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "cost limit") {
		fix = "Simplify the condition: it is too expensive to evaluate."
	}
	r.Result = r.fail(ReasonCondition, msg, fix)
	return r
}

func explainEvalError(err error) string {
	msg := oneLine(err.Error())
	if key, ok := strings.CutPrefix(msg, "no such key: "); ok {
		return fmt.Sprintf("the token has no claim (or key) %q", key)
	}
	if strings.HasPrefix(msg, "no such overload") || strings.HasPrefix(msg, "no matching overload") {
		return msg + " (a claim has another type than the condition expects)"
	}
	return msg
}

func falseMessage(leaves []Leaf) string {
	if len(leaves) == 0 {
		return "The rule's condition is false for this token."
	}
	parts := make([]string, len(leaves))
	for i, l := range leaves {
		parts[i] = l.String()
	}
	return "The rule's condition is false: " + strings.Join(parts, "; ") + " is false."
}

func conditionExpected(src string) string { return "condition is true: " + src }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// normalize turns json.Number values (from a decoder with UseNumber) into int64 or float64,
// which CEL understands; everything else is left as decoded.
func normalize(v map[string]any) map[string]any {
	out := make(map[string]any, len(v))
	for k, e := range v {
		out[k] = normalizeValue(e)
	}
	return out
}

func normalizeValue(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case map[string]any:
		return normalize(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalizeValue(e)
		}
		return out
	}
	return v
}

// compiled keeps the outcome of compiling the conditions seen lately: an audit evaluates the same
// rule's condition for many connections, and compiling costs far more than evaluating (a
// cel.Program is safe for concurrent evaluations).
var compiled = &compileCache{max: 256}

type compileCache struct {
	mu   sync.Mutex
	max  int
	done map[string]compileOutcome
}

type compileOutcome struct {
	c   *Condition
	err error
}

// get compiles src once while it stays in the cache; a full cache starts afresh.
func (cc *compileCache) get(src string) (*Condition, error) {
	cc.mu.Lock()
	o, ok := cc.done[src]
	cc.mu.Unlock()
	if ok {
		return o.c, o.err
	}
	c, err := Compile(src)
	cc.mu.Lock()
	if cc.done == nil || len(cc.done) >= cc.max {
		cc.done = map[string]compileOutcome{}
	}
	cc.done[src] = compileOutcome{c, err}
	cc.mu.Unlock()
	return c, err
}
