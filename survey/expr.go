package survey

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Expr is a compiled expression node. Its JSON form (op, num, str, bool,
// args) is what the form's JavaScript evaluates, with the same semantics as
// Eval.
type Expr struct {
	Op   string  `json:"op"`
	Num  float64 `json:"num,omitempty"`
	Str  string  `json:"str,omitempty"`
	Bool bool    `json:"bool,omitempty"`
	Args []*Expr `json:"args,omitempty"`

	pos int
	typ kind
	// qi is, for a node naming a question (a ref, and the first argument
	// of selected, answered and count), 1 + the question's index in its
	// definition (Questions), set when the expression is checked; 0
	// elsewhere.
	qi int
	// lit is a literal's value as eval gives it (Num, Str or Bool in an
	// interface), made once when the expression is checked; nil
	// elsewhere.
	lit any
}

// Expression node ops.
const (
	opNum, opStr, opBool, opRef   = "num", "str", "bool", "ref"
	opNot, opAnd, opOr, opNeg     = "not", "and", "or", "neg"
	opSelected, opAnswered, opCnt = "selected", "answered", "count"
)

type kind int

const (
	kNumber kind = iota + 1
	kString
	kBool
	kSet
)

func (k kind) String() string {
	return map[kind]string{kNumber: "a number", kString: "text", kBool: "true/false", kSet: "a list of options"}[k]
}

const (
	maxExprLen   = 2000
	maxExprDepth = 40
)

// ---- lexer ----

type tokKind int

const (
	tEOF tokKind = iota
	tNum
	tStr
	tIdent
	tOp
)

type token struct {
	kind tokKind
	text string
	pos  int // 1-based column
}

func lex(src string) ([]token, error) {
	var toks []token
	rs := []rune(src)
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(rs) && rs[i+1] >= '0' && rs[i+1] <= '9':
			j := i
			dot := false
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == '.' && !dot) {
				if rs[j] == '.' {
					dot = true
				}
				j++
			}
			toks = append(toks, token{tNum, string(rs[i:j]), i + 1})
			i = j
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(rs) && rs[j] != c {
				j++
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("column %d: text is not closed with %c", i+1, c)
			}
			toks = append(toks, token{tStr, string(rs[i+1 : j]), i + 1})
			i = j + 1
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(rs) && (rs[j] == '_' || rs[j] >= 'a' && rs[j] <= 'z' || rs[j] >= 'A' && rs[j] <= 'Z' || rs[j] >= '0' && rs[j] <= '9') {
				j++
			}
			toks = append(toks, token{tIdent, string(rs[i:j]), i + 1})
			i = j
		default:
			two := ""
			if i+1 < len(rs) {
				two = string(rs[i : i+2])
			}
			switch two {
			case "<=", ">=", "!=", "==", "<>":
				if two == "==" {
					two = "="
				} else if two == "<>" {
					two = "!="
				}
				toks = append(toks, token{tOp, two, i + 1})
				i += 2
				continue
			}
			if strings.ContainsRune("=<>+-*/(),", c) {
				toks = append(toks, token{tOp, string(c), i + 1})
				i++
				continue
			}
			return nil, fmt.Errorf("column %d: unexpected character %q", i+1, c)
		}
	}
	return append(toks, token{tEOF, "", len(rs) + 1}), nil
}

// ---- parser ----

type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) isOp(s string) bool {
	t := p.peek()
	return t.kind == tOp && t.text == s
}

func (p *parser) isWord(s string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, s)
}

func (p *parser) fail(t token, format string, args ...any) error {
	return fmt.Errorf("column %d: %s", t.pos, fmt.Sprintf(format, args...))
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tStr:
		return fmt.Sprintf("text '%s'", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// checkExprSource refuses an empty or too long expression before it is
// read (the definition's language and XLSForm's alike).
func checkExprSource(src string) error {
	if strings.TrimSpace(src) == "" {
		return fmt.Errorf("expression is empty")
	}
	if len(src) > maxExprLen {
		return fmt.Errorf("expression is longer than %d characters", maxExprLen)
	}
	return nil
}

// parseExpr parses src into an untyped tree.
func parseExpr(src string) (*Expr, error) {
	if err := checkExprSource(src); err != nil {
		return nil, err
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.fail(t, "unexpected %s", describe(t))
	}
	return e, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxExprDepth {
		return p.fail(p.peek(), "expression is nested too deeply")
	}
	return nil
}

func (p *parser) or() (*Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isWord("or") {
		t := p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &Expr{Op: opOr, Args: []*Expr{l, r}, pos: t.pos}
	}
	return l, nil
}

func (p *parser) and() (*Expr, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.isWord("and") {
		t := p.next()
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		l = &Expr{Op: opAnd, Args: []*Expr{l, r}, pos: t.pos}
	}
	return l, nil
}

func (p *parser) not() (*Expr, error) {
	if p.isWord("not") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		t := p.next()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &Expr{Op: opNot, Args: []*Expr{x}, pos: t.pos}, nil
	}
	return p.cmp()
}

var cmpOps = map[string]bool{"=": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *parser) cmp() (*Expr, error) {
	l, err := p.sum()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind == tOp && cmpOps[t.text] {
		p.next()
		r, err := p.sum()
		if err != nil {
			return nil, err
		}
		if t2 := p.peek(); t2.kind == tOp && cmpOps[t2.text] {
			return nil, p.fail(t2, "comparisons cannot be chained; use 'and'")
		}
		return &Expr{Op: t.text, Args: []*Expr{l, r}, pos: t.pos}, nil
	}
	return l, nil
}

func (p *parser) sum() (*Expr, error) {
	l, err := p.prod()
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		t := p.next()
		r, err := p.prod()
		if err != nil {
			return nil, err
		}
		l = &Expr{Op: t.text, Args: []*Expr{l, r}, pos: t.pos}
	}
	return l, nil
}

func (p *parser) prod() (*Expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isOp("*") || p.isOp("/") {
		t := p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &Expr{Op: t.text, Args: []*Expr{l, r}, pos: t.pos}
	}
	return l, nil
}

func (p *parser) unary() (*Expr, error) {
	if p.isOp("-") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		t := p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &Expr{Op: opNeg, Args: []*Expr{x}, pos: t.pos}, nil
	}
	return p.primary()
}

func (p *parser) primary() (*Expr, error) {
	t := p.next()
	switch t.kind {
	case tNum:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, p.fail(t, "bad number %q", t.text)
		}
		return &Expr{Op: opNum, Num: f, pos: t.pos}, nil
	case tStr:
		return &Expr{Op: opStr, Str: t.text, pos: t.pos}, nil
	case tIdent:
		low := strings.ToLower(t.text)
		switch low {
		case "true", "false":
			return &Expr{Op: opBool, Bool: low == "true", pos: t.pos}, nil
		case "and", "or", "not":
			return nil, p.fail(t, "unexpected %q", t.text)
		}
		if p.isOp("(") {
			return p.call(t)
		}
		return &Expr{Op: opRef, Str: t.text, pos: t.pos}, nil
	case tOp:
		if t.text == "(" {
			if err := p.enter(); err != nil {
				return nil, err
			}
			defer func() { p.depth-- }()
			e, err := p.or()
			if err != nil {
				return nil, err
			}
			if !p.isOp(")") {
				return nil, p.fail(p.peek(), "expected ')' but found %s", describe(p.peek()))
			}
			p.next()
			return e, nil
		}
	}
	return nil, p.fail(t, "unexpected %s", describe(t))
}

func (p *parser) call(name token) (*Expr, error) {
	fn := strings.ToLower(name.text)
	if fn != opSelected && fn != opAnswered && fn != opCnt {
		return nil, p.fail(name, "unknown function %q (known: selected, answered, count)", name.text)
	}
	p.next() // (
	e := &Expr{Op: fn, pos: name.pos}
	for !p.isOp(")") {
		if len(e.Args) > 0 {
			if !p.isOp(",") {
				return nil, p.fail(p.peek(), "expected ',' or ')' but found %s", describe(p.peek()))
			}
			p.next()
		}
		a, err := p.primary()
		if err != nil {
			return nil, err
		}
		e.Args = append(e.Args, a)
	}
	p.next() // )
	if len(e.Args) == 0 || e.Args[0].Op != opRef {
		return nil, p.fail(name, "%s() needs a question code as its first argument", fn)
	}
	if fn == opSelected {
		if len(e.Args) < 2 {
			return nil, p.fail(name, "selected() needs at least one option code after the question")
		}
		for _, a := range e.Args[1:] {
			if a.Op != opStr {
				return nil, p.fail(name, "selected() takes option codes in quotes after the question")
			}
		}
	} else if len(e.Args) != 1 {
		return nil, p.fail(name, "%s() takes exactly one question code", fn)
	}
	return e, nil
}

// ---- type checking ----

// scope tells the checker which questions an expression may name.
type scope struct {
	def *Definition
	// before, when set, limits references to questions earlier than it.
	before *Question
	refs   []string
}

func (s *scope) lookup(e *Expr) (*Question, error) {
	q := s.def.questions[e.Str]
	if q == nil {
		return nil, fmt.Errorf("column %d: unknown question %q", e.pos, e.Str)
	}
	if s.before != nil && q.index >= s.before.index {
		if q == s.before {
			return nil, fmt.Errorf("column %d: a question cannot depend on itself", e.pos)
		}
		return nil, fmt.Errorf("column %d: question %q comes later; a condition may only name earlier questions", e.pos, e.Str)
	}
	s.refs = append(s.refs, q.Code)
	e.qi = q.index + 1
	return q, nil
}

func refKind(q *Question) kind {
	switch {
	case q.Type == Multi:
		return kSet
	case q.Type.IsNumber():
		return kNumber
	case q.Type == YesNo:
		return kBool
	}
	return kString
}

func (s *scope) check(e *Expr) error {
	for _, a := range e.Args {
		if e.Op == opSelected || e.Op == opAnswered || e.Op == opCnt {
			break // arguments are checked below
		}
		if err := s.check(a); err != nil {
			return err
		}
	}
	want := func(a *Expr, k kind, what string) error {
		if a.typ != k {
			return fmt.Errorf("column %d: %s needs %s, but this is %s", e.pos, what, k, a.typ)
		}
		return nil
	}
	switch e.Op {
	case opNum:
		e.typ, e.lit = kNumber, e.Num
	case opStr:
		e.typ, e.lit = kString, e.Str
	case opBool:
		e.typ, e.lit = kBool, e.Bool
	case opRef:
		q, err := s.lookup(e)
		if err != nil {
			return err
		}
		e.typ = refKind(q)
	case opNot, opAnd, opOr:
		for _, a := range e.Args {
			if err := want(a, kBool, "'"+e.Op+"'"); err != nil {
				return err
			}
		}
		e.typ = kBool
	case opNeg, "+", "-", "*", "/":
		name := e.Op
		if name == opNeg {
			name = "-"
		}
		for _, a := range e.Args {
			if err := want(a, kNumber, "'"+name+"'"); err != nil {
				return err
			}
		}
		e.typ = kNumber
	case "<", "<=", ">", ">=":
		for _, a := range e.Args {
			if err := want(a, kNumber, "'"+e.Op+"'"); err != nil {
				return err
			}
		}
		e.typ = kBool
	case "=", "!=":
		l, r := e.Args[0], e.Args[1]
		if l.typ == kSet || r.typ == kSet {
			return fmt.Errorf("column %d: a multiple-choice answer cannot be compared with '%s'; use selected(question, 'option')", e.pos, e.Op)
		}
		if l.typ != r.typ {
			return fmt.Errorf("column %d: cannot compare %s with %s", e.pos, l.typ, r.typ)
		}
		if err := s.checkOptionLiteral(l, r); err != nil {
			return err
		}
		if err := s.checkOptionLiteral(r, l); err != nil {
			return err
		}
		e.typ = kBool
	case opSelected:
		q, err := s.lookup(e.Args[0])
		if err != nil {
			return err
		}
		if !q.Type.IsChoice() {
			return fmt.Errorf("column %d: selected() needs a single or multiple choice question; %q is %s", e.pos, q.Code, q.Type)
		}
		for _, a := range e.Args[1:] {
			if q.options[a.Str] == nil {
				return fmt.Errorf("column %d: question %q has no option %q", a.pos, q.Code, a.Str)
			}
			a.typ = kString
		}
		e.Args[0].typ = refKind(q)
		e.typ = kBool
	case opAnswered:
		q, err := s.lookup(e.Args[0])
		if err != nil {
			return err
		}
		e.Args[0].typ = refKind(q)
		e.typ = kBool
	case opCnt:
		q, err := s.lookup(e.Args[0])
		if err != nil {
			return err
		}
		if q.Type != Multi {
			return fmt.Errorf("column %d: count() needs a multiple choice question; %q is %s", e.pos, q.Code, q.Type)
		}
		e.Args[0].typ = kSet
		e.typ = kNumber
	default:
		return fmt.Errorf("column %d: unknown operator %q", e.pos, e.Op)
	}
	return nil
}

// checkOptionLiteral rejects comparing a single-choice answer with text that
// is not one of its option codes.
func (s *scope) checkOptionLiteral(ref, lit *Expr) error {
	if ref.Op != opRef || lit.Op != opStr {
		return nil
	}
	q := s.def.questions[ref.Str]
	if q.Type == Single && q.options[lit.Str] == nil {
		return fmt.Errorf("column %d: question %q has no option %q", lit.pos, q.Code, lit.Str)
	}
	return nil
}

// compile parses and checks src, requiring the result kind want.
func compile(src string, s *scope, want kind) (*Expr, error) {
	e, err := parseExpr(src)
	if err != nil {
		return nil, err
	}
	if err := s.check(e); err != nil {
		return nil, err
	}
	if e.typ != want {
		return nil, fmt.Errorf("the expression gives %s, but %s is needed", e.typ, want)
	}
	return e, nil
}

// ---- evaluation ----

// answerSource is what eval reads answers from: ref gives the value of
// the answer that the node e (a ref, or the first argument of selected,
// answered or count) names, as refValue makes it (nil when unanswered).
// Answers is one; IndexedAnswers, read straight from a document, another.
type answerSource interface {
	ref(e *Expr) any
}

// ref is the answer e names, as an expression value.
func (a Answers) ref(e *Expr) any { return refValue(a[e.Str]) }

// eval computes e over canonical answers. The result is nil (undecided: a
// named question is unanswered, or a division by zero), float64, string,
// bool or []string. Logic is three-valued (Kleene): false and undecided is
// false, true or undecided is true, not undecided is undecided.
func eval[A answerSource](e *Expr, a A) any {
	if e.lit != nil {
		return e.lit // a literal, checked
	}
	switch e.Op {
	case opNum:
		return e.Num
	case opStr:
		return e.Str
	case opBool:
		return e.Bool
	case opRef:
		return a.ref(e)
	case opNot:
		b, ok := eval(e.Args[0], a).(bool)
		if !ok {
			return nil
		}
		return !b
	case opAnd, opOr:
		stop := e.Op == opOr // the value that decides the result
		undecided := false
		for _, x := range e.Args {
			b, ok := eval(x, a).(bool)
			if !ok {
				undecided = true
				continue
			}
			if b == stop {
				return stop
			}
		}
		if undecided {
			return nil
		}
		return !stop
	case opNeg:
		f, ok := eval(e.Args[0], a).(float64)
		if !ok {
			return nil
		}
		return -f
	case "+", "-", "*", "/":
		l, ok1 := eval(e.Args[0], a).(float64)
		r, ok2 := eval(e.Args[1], a).(float64)
		if !ok1 || !ok2 {
			return nil
		}
		var v float64
		switch e.Op {
		case "+":
			v = l + r
		case "-":
			v = l - r
		case "*":
			v = l * r
		case "/":
			if r == 0 {
				return nil
			}
			v = l / r
		}
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return nil
		}
		return v
	case "<", "<=", ">", ">=":
		l, ok1 := eval(e.Args[0], a).(float64)
		r, ok2 := eval(e.Args[1], a).(float64)
		if !ok1 || !ok2 {
			return nil
		}
		switch e.Op {
		case "<":
			return l < r
		case "<=":
			return l <= r
		case ">":
			return l > r
		}
		return l >= r
	case "=", "!=":
		l, r := eval(e.Args[0], a), eval(e.Args[1], a)
		if l == nil || r == nil {
			return nil
		}
		if _, isSet := l.([]string); isSet {
			return nil
		}
		if _, isSet := r.([]string); isSet {
			return nil
		}
		return (l == r) == (e.Op == "=")
	case opSelected:
		v := a.ref(e.Args[0])
		if v == nil {
			return nil
		}
		for _, o := range e.Args[1:] {
			switch x := v.(type) {
			case string:
				if x == o.Str {
					return true
				}
			case []string:
				for _, s := range x {
					if s == o.Str {
						return true
					}
				}
			}
		}
		return false
	case opAnswered:
		return a.ref(e.Args[0]) != nil
	case opCnt:
		if s, ok := a.ref(e.Args[0]).([]string); ok {
			return float64(len(s))
		}
		return nil
	}
	return nil
}

// Refs lists the question codes the expression reads, each once, in order
// of appearance.
func (e *Expr) Refs() []string {
	var out []string
	seen := map[string]bool{}
	var walk func(x *Expr)
	walk = func(x *Expr) {
		if x == nil {
			return
		}
		switch x.Op {
		case opRef:
			if !seen[x.Str] {
				seen[x.Str] = true
				out = append(out, x.Str)
			}
			return
		case opSelected, opAnswered, opCnt:
			if len(x.Args) > 0 && !seen[x.Args[0].Str] {
				seen[x.Args[0].Str] = true
				out = append(out, x.Args[0].Str)
			}
			return
		}
		for _, a := range x.Args {
			walk(a)
		}
	}
	walk(e)
	return out
}

// refValue turns a canonical answer into an expression value.
func refValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil
		}
		return f
	case string, bool, []string:
		return x
	}
	return nil
}

// String renders the expression back to source form (for documentation and
// error messages).
func (e *Expr) String() string {
	switch e.Op {
	case opNum:
		return strconv.FormatFloat(e.Num, 'f', -1, 64)
	case opStr:
		return "'" + e.Str + "'"
	case opBool:
		return strconv.FormatBool(e.Bool)
	case opRef:
		return e.Str
	case opNot:
		return "not " + e.Args[0].String()
	case opNeg:
		return "-" + e.Args[0].String()
	case opSelected, opAnswered, opCnt:
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			parts[i] = a.String()
		}
		return e.Op + "(" + strings.Join(parts, ", ") + ")"
	}
	return "(" + e.Args[0].String() + " " + e.Op + " " + e.Args[1].String() + ")"
}
