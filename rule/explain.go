package rule

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/parser"
)

const maxShown = 200 // characters of one value shown in a report

// explainer walks a checked condition with the values cel-go observed while evaluating it.
type explainer struct {
	ast *ast.AST
	det *cel.EvalDetails
}

func (x explainer) value(e ast.Expr) (ref.Val, bool) {
	if x.det == nil || x.det.State() == nil {
		return nil, false
	}
	return x.det.State().Value(e.ID())
}

func (x explainer) isFalse(e ast.Expr) bool {
	v, ok := x.value(e)
	return ok && v == types.False
}

func (x explainer) isTrue(e ast.Expr) bool {
	v, ok := x.value(e)
	return ok && v == types.True
}

// falseLeaves descends from a false expression through &&, || and ?: to the smallest
// sub-expressions that were false; a negation, a comparison or a call is a leaf.
func (x explainer) falseLeaves(e ast.Expr) []Leaf {
	if !x.isFalse(e) {
		return nil
	}
	if e.Kind() == ast.CallKind {
		call := e.AsCall()
		switch call.FunctionName() {
		case operators.LogicalAnd, operators.LogicalOr:
			var out []Leaf
			for _, a := range call.Args() {
				out = append(out, x.falseLeaves(a)...)
			}
			if len(out) > 0 {
				return out
			}
		case operators.Conditional:
			args := call.Args()
			branch := args[2]
			if x.isTrue(args[0]) {
				branch = args[1]
			}
			if out := x.falseLeaves(branch); len(out) > 0 {
				return out
			}
		}
	}
	return []Leaf{x.leaf(e)}
}

func (x explainer) leaf(e ast.Expr) Leaf {
	l := Leaf{Expr: x.text(e)}
	seen := map[string]bool{}
	for _, r := range x.reads(e) {
		v, ok := x.value(r)
		text := x.text(r)
		if !ok || seen[text] || text == l.Expr {
			continue
		}
		seen[text] = true
		l.Reads = append(l.Reads, Read{Expr: text, Value: formatVal(v)})
	}
	return l
}

// errorOrigin renders the innermost sub-expression whose observed value is an error.
func (x explainer) errorOrigin(e ast.Expr) string {
	for _, c := range children(e) {
		if s := x.errorOrigin(c); s != "" {
			return s
		}
	}
	if v, ok := x.value(e); ok && types.IsError(v) {
		return x.text(e)
	}
	return ""
}

func (x explainer) text(e ast.Expr) string {
	s, err := parser.Unparse(e, x.ast.SourceInfo())
	if err != nil {
		return fmt.Sprintf("(expression %d)", e.ID())
	}
	return s
}

// reads lists the outermost claim references inside e: claims.a.b, claims["a"], has(claims.a).
func (x explainer) reads(e ast.Expr) []ast.Expr {
	if isClaimPath(e) {
		return []ast.Expr{e}
	}
	var out []ast.Expr
	for _, c := range children(e) {
		out = append(out, x.reads(c)...)
	}
	return out
}

func isClaimPath(e ast.Expr) bool {
	switch e.Kind() {
	case ast.IdentKind:
		return e.AsIdent() == "claims"
	case ast.SelectKind:
		return isClaimPath(e.AsSelect().Operand())
	case ast.CallKind:
		c := e.AsCall()
		return c.FunctionName() == operators.Index && len(c.Args()) == 2 && isClaimPath(c.Args()[0])
	}
	return false
}

func children(e ast.Expr) []ast.Expr {
	switch e.Kind() {
	case ast.CallKind:
		c := e.AsCall()
		if c.IsMemberFunction() {
			return append([]ast.Expr{c.Target()}, c.Args()...)
		}
		return c.Args()
	case ast.SelectKind:
		return []ast.Expr{e.AsSelect().Operand()}
	case ast.ListKind:
		return e.AsList().Elements()
	case ast.MapKind:
		var out []ast.Expr
		for _, en := range e.AsMap().Entries() {
			out = append(out, en.AsMapEntry().Key(), en.AsMapEntry().Value())
		}
		return out
	case ast.ComprehensionKind:
		return []ast.Expr{e.AsComprehension().IterRange()}
	}
	return nil
}

// formatVal renders an observed CEL value like JSON, shortened for a report.
func formatVal(v ref.Val) string {
	var b strings.Builder
	writeVal(&b, v)
	return shorten(b.String())
}

func writeVal(b *strings.Builder, v ref.Val) {
	if b.Len() > maxShown {
		return
	}
	switch t := v.(type) {
	case types.String:
		b.WriteString(strconv.Quote(string(t)))
	case *types.Err:
		b.WriteString("error: " + t.String())
	case traits.Mapper:
		writeMap(b, t)
	case traits.Lister:
		writeList(b, t)
	default:
		fmt.Fprint(b, v.Value())
	}
}

func writeList(b *strings.Builder, l traits.Lister) {
	b.WriteByte('[')
	it := l.Iterator()
	for i := 0; it.HasNext() == types.True; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		writeVal(b, it.Next())
	}
	b.WriteByte(']')
}

func writeMap(b *strings.Builder, m traits.Mapper) {
	var keys []ref.Val
	for it := m.Iterator(); it.HasNext() == types.True; {
		keys = append(keys, it.Next())
	}
	slices.SortFunc(keys, func(a, c ref.Val) int { return strings.Compare(formatVal(a), formatVal(c)) })
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		writeVal(b, k)
		b.WriteString(": ")
		writeVal(b, m.Get(k))
	}
	b.WriteByte('}')
}

// formatNative renders a decoded JSON value as JSON, shortened for a report.
func formatNative(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return shorten(fmt.Sprint(v))
	}
	return shorten(string(data))
}

func shorten(s string) string {
	if r := []rune(s); len(r) > maxShown {
		return string(r[:maxShown]) + "…"
	}
	return s
}
