package emulator

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/parser"
)

// A rule's condition is CEL over one variable, claims (the decoded claim set). Anthropic does not
// publish its cost limit or extensions: the emulator uses CEL's standard library and its own bound.
const (
	celCostLimit = 100_000
	celEvalTime  = time.Second
)

var celEnv = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(cel.Variable("claims", cel.MapType(cel.StringType, cel.DynType)),
		cel.ParserExpressionSizeLimit(maxConditionLength))
})

// compileCondition checks a condition as the API does at rule creation; the error message
// follows "match.condition: ".
func compileCondition(src string) (cel.Program, error) {
	env, err := celEnv()
	if err != nil {
		return nil, err
	}
	checked, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, fmt.Errorf("invalid CEL expression: %v", iss.Err())
	}
	if !checked.OutputType().IsExactType(cel.BoolType) {
		return nil, fmt.Errorf("expression must evaluate to bool, got %s", checked.OutputType())
	}
	if alwaysTrue(env, checked.NativeRep(), checked.NativeRep().Expr()) {
		return nil, fmt.Errorf("expression is always true")
	}
	return env.Program(checked, cel.CostLimit(celCostLimit), cel.InterruptCheckFrequency(100))
}

// alwaysTrue: a claim-free sub-expression that is true, or an || holding one, or an && of them.
func alwaysTrue(env *cel.Env, a *ast.AST, e ast.Expr) bool {
	if !readsClaims(e) {
		src, err := parser.Unparse(e, a.SourceInfo())
		if err != nil {
			return false
		}
		prg, err := compileFree(env, src)
		if err != nil {
			return false
		}
		out, _, err := prg.Eval(map[string]any{"claims": map[string]any{}})
		return err == nil && out == types.True
	}
	if e.Kind() != ast.CallKind {
		return false
	}
	call := e.AsCall()
	isTrue := func(x ast.Expr) bool { return alwaysTrue(env, a, x) }
	switch call.FunctionName() {
	case operators.LogicalOr:
		return slices.ContainsFunc(call.Args(), isTrue)
	case operators.LogicalAnd:
		return !slices.ContainsFunc(call.Args(), func(x ast.Expr) bool { return !isTrue(x) })
	}
	return false
}

func compileFree(env *cel.Env, src string) (cel.Program, error) {
	checked, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	return env.Program(checked, cel.CostLimit(celCostLimit))
}

func readsClaims(e ast.Expr) bool {
	switch e.Kind() {
	case ast.IdentKind:
		return e.AsIdent() == "claims"
	case ast.SelectKind:
		return readsClaims(e.AsSelect().Operand())
	case ast.CallKind:
		c := e.AsCall()
		if c.IsMemberFunction() && readsClaims(c.Target()) {
			return true
		}
		return slices.ContainsFunc(c.Args(), readsClaims)
	case ast.ListKind:
		return slices.ContainsFunc(e.AsList().Elements(), readsClaims)
	case ast.MapKind:
		for _, en := range e.AsMap().Entries() {
			if readsClaims(en.AsMapEntry().Key()) || readsClaims(en.AsMapEntry().Value()) {
				return true
			}
		}
	case ast.ComprehensionKind:
		c := e.AsComprehension()
		return slices.ContainsFunc([]ast.Expr{c.IterRange(), c.AccuInit(), c.LoopCondition(), c.LoopStep(), c.Result()}, readsClaims)
	}
	return false
}

// evalCondition runs a condition on a claim set: only true matches; an error is a denial.
func evalCondition(ctx context.Context, src string, claims map[string]any) error {
	prg, err := compileCondition(src)
	if err != nil {
		return fmt.Errorf("condition does not compile: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, celEvalTime)
	defer cancel()
	out, _, err := prg.ContextEval(ctx, map[string]any{"claims": claims})
	switch {
	case err != nil:
		return fmt.Errorf("condition %q: evaluation error: %v", src, err)
	case out != types.True:
		return fmt.Errorf("condition %q is %v", src, out)
	}
	return nil
}
