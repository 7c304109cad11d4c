package survey

import (
	"fmt"
	"strconv"
	"strings"
)

// Translation between the definition's expression language (expr.go) and
// the XLSForm (XPath) expressions of the relevant and constraint columns.
//
//	definition                          XLSForm
//	q                                   ${q}
//	q (a yesno question) = true/false   ${q} = 'yes' / 'no'
//	q (a yesno question, as a value)    ${q} = 'yes'
//	selected(q, 'a')                    selected(${q}, 'a')
//	selected(q, 'a', 'b')               selected(${q}, 'a') or selected(${q}, 'b')
//	count(q)                            count-selected(${q})
//	answered(q)                         ${q} != ''
//	not x                               not(x)
//	a / b                               a div b
//	true, false                         true(), false()
//	the constraint's own question       .
//
// Import renders the result canonically (single quotes, the fewest
// parentheses, "not (…)" around a comparison), so an expression written
// that way comes back as it was written; export keeps any other spelling in
// the surveyd_show_if column (see xlsform.go).

// ---- definition → XLSForm ----

// xlsExprOf translates a definition expression to XLSForm. typeOf gives a
// question's type ("" when unknown); dot, when not "", is the question that
// "." stands for (a constraint's own question).
func xlsExprOf(src string, typeOf func(string) Type, dot string) (string, error) {
	e, err := parseExpr(src)
	if err != nil {
		return "", err
	}
	w := &xlsWriter{typeOf: typeOf, dot: dot}
	s, _ := w.render(e)
	if w.err != nil {
		return "", w.err
	}
	return s, nil
}

type xlsWriter struct {
	typeOf func(string) Type
	dot    string
	err    error
}

// XPath precedence levels (loosest first).
const (
	xpOr = iota + 1
	xpAnd
	xpEq
	xpRel
	xpAdd
	xpMul
	xpUnary
	xpPrimary
)

func paren(s string, prec, min int) string {
	if prec < min {
		return "(" + s + ")"
	}
	return s
}

func (w *xlsWriter) ref(code string) string {
	if w.dot != "" && code == w.dot {
		return "."
	}
	return "${" + code + "}"
}

func (w *xlsWriter) quote(s string) string {
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	if strings.Contains(s, `"`) {
		w.err = fmt.Errorf("text %s has both kinds of quotes", s)
	}
	return `"` + s + `"`
}

func (w *xlsWriter) isYesNo(e *Expr) bool {
	return e.Op == opRef && w.typeOf(e.Str) == YesNo
}

func (w *xlsWriter) render(e *Expr) (string, int) {
	switch e.Op {
	case opNum:
		return strconv.FormatFloat(e.Num, 'f', -1, 64), xpPrimary
	case opStr:
		return w.quote(e.Str), xpPrimary
	case opBool:
		if e.Bool {
			return "true()", xpPrimary
		}
		return "false()", xpPrimary
	case opRef:
		if w.isYesNo(e) {
			return w.ref(e.Str) + " = 'yes'", xpEq
		}
		return w.ref(e.Str), xpPrimary
	case opNot:
		s, _ := w.render(e.Args[0])
		return "not(" + s + ")", xpPrimary
	case opNeg:
		s, p := w.render(e.Args[0])
		return "-" + paren(s, p, xpPrimary), xpUnary
	case opAnd, opOr:
		p := xpAnd
		if e.Op == opOr {
			p = xpOr
		}
		l, lp := w.render(e.Args[0])
		r, rp := w.render(e.Args[1])
		return paren(l, lp, p) + " " + e.Op + " " + paren(r, rp, p+1), p
	case "=", "!=":
		l, r := e.Args[0], e.Args[1]
		if w.isYesNo(r) && l.Op == opBool {
			l, r = r, l
		}
		if w.isYesNo(l) && r.Op == opBool {
			v := "'no'"
			if r.Bool {
				v = "'yes'"
			}
			return w.ref(l.Str) + " " + e.Op + " " + v, xpEq
		}
		ls, lp := w.render(l)
		rs, rp := w.render(r)
		return paren(ls, lp, xpRel+1) + " " + e.Op + " " + paren(rs, rp, xpRel+1), xpEq
	case "<", "<=", ">", ">=":
		ls, lp := w.render(e.Args[0])
		rs, rp := w.render(e.Args[1])
		return paren(ls, lp, xpAdd) + " " + e.Op + " " + paren(rs, rp, xpAdd), xpRel
	case "+", "-":
		ls, lp := w.render(e.Args[0])
		rs, rp := w.render(e.Args[1])
		return paren(ls, lp, xpAdd) + " " + e.Op + " " + paren(rs, rp, xpMul), xpAdd
	case "*", "/":
		op := e.Op
		if op == "/" {
			op = "div"
		}
		ls, lp := w.render(e.Args[0])
		rs, rp := w.render(e.Args[1])
		return paren(ls, lp, xpMul) + " " + op + " " + paren(rs, rp, xpUnary), xpMul
	case opSelected:
		q := w.ref(e.Args[0].Str)
		var parts []string
		for _, o := range e.Args[1:] {
			parts = append(parts, "selected("+q+", "+w.quote(o.Str)+")")
		}
		if len(parts) == 1 {
			return parts[0], xpPrimary
		}
		return strings.Join(parts, " or "), xpOr
	case opAnswered:
		return w.ref(e.Args[0].Str) + " != ''", xpEq
	case opCnt:
		return "count-selected(" + w.ref(e.Args[0].Str) + ")", xpPrimary
	}
	w.err = fmt.Errorf("operator %q has no XLSForm form", e.Op)
	return "", xpPrimary
}

// ---- XLSForm → definition ----

// xnode is a parsed XLSForm expression.
type xnode struct {
	op   string // num str ref dot call neg or and = != < <= > >= + - * div mod
	text string // the number, the text, the question, the function
	args []*xnode
	pos  int
}

type xtok struct {
	kind byte // 'n' number, 's' string, 'r' ${ref}, 'i' name, 'o' operator, 0 end
	text string
	pos  int
}

func xlex(src string) ([]xtok, error) {
	var out []xtok
	rs := []rune(src)
	isName := func(c rune) bool {
		return c == '_' || c == '-' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\u00a0':
			i++
		case c == '$' && i+1 < len(rs) && rs[i+1] == '{':
			j := i + 2
			for j < len(rs) && rs[j] != '}' {
				j++
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("position %d: ${ is not closed with }", i+1)
			}
			out = append(out, xtok{'r', strings.TrimSpace(string(rs[i+2 : j])), i + 1})
			i = j + 1
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(rs) && rs[i+1] >= '0' && rs[i+1] <= '9':
			j := i
			dot := false
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == '.' && !dot) {
				if rs[j] == '.' {
					dot = true
				}
				j++
			}
			out = append(out, xtok{'n', string(rs[i:j]), i + 1})
			i = j
		case c == '.':
			if i+1 < len(rs) && rs[i+1] == '.' {
				return nil, fmt.Errorf("position %d: '..' (the parent group) is not supported", i+1)
			}
			out = append(out, xtok{'o', ".", i + 1})
			i++
		case c == '\'' || c == '"' || c == '‘' || c == '’' || c == '“' || c == '”':
			end := c
			switch c {
			case '‘', '’':
				end = '’'
			case '“', '”':
				end = '”'
			}
			j := i + 1
			for j < len(rs) && rs[j] != end && !(end == '’' && rs[j] == '‘') {
				j++
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("position %d: text is not closed with %c", i+1, end)
			}
			out = append(out, xtok{'s', string(rs[i+1 : j]), i + 1})
			i = j + 1
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(rs) && isName(rs[j]) {
				j++
			}
			out = append(out, xtok{'i', string(rs[i:j]), i + 1})
			i = j
		default:
			two := ""
			if i+1 < len(rs) {
				two = string(rs[i : i+2])
			}
			if two == "!=" || two == "<=" || two == ">=" {
				out = append(out, xtok{'o', two, i + 1})
				i += 2
				continue
			}
			if strings.ContainsRune("=<>+-*(),", c) {
				out = append(out, xtok{'o', string(c), i + 1})
				i++
				continue
			}
			if c == '/' {
				return nil, fmt.Errorf("position %d: '/' is a path in XLSForm; divide with div", i+1)
			}
			return nil, fmt.Errorf("position %d: %q is not supported", i+1, c)
		}
	}
	return append(out, xtok{0, "", len(rs) + 1}), nil
}

type xparser struct {
	toks  []xtok
	i     int
	depth int
}

func (p *xparser) peek() xtok { return p.toks[p.i] }
func (p *xparser) next() xtok { t := p.toks[p.i]; p.i++; return t }
func (p *xparser) isOp(s string) bool {
	t := p.peek()
	return t.kind == 'o' && t.text == s
}
func xdescribe(t xtok) string {
	switch t.kind {
	case 0:
		return "the end"
	case 's':
		return "text '" + t.text + "'"
	case 'r':
		return "${" + t.text + "}"
	}
	return "'" + t.text + "'"
}

func (p *xparser) fail(t xtok, format string, args ...any) error {
	return fmt.Errorf("position %d: %s", t.pos, fmt.Sprintf(format, args...))
}

func parseXLSExpr(src string) (*xnode, error) {
	if err := checkExprSource(src); err != nil {
		return nil, err
	}
	toks, err := xlex(src)
	if err != nil {
		return nil, err
	}
	p := &xparser{toks: toks}
	n, err := p.binary(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != 0 {
		return nil, p.fail(t, "unexpected %s", xdescribe(t))
	}
	return n, nil
}

// xlevels are XPath's binary operators, loosest first.
var xlevels = [][]string{{"or"}, {"and"}, {"=", "!="}, {"<", "<=", ">", ">="}, {"+", "-"}, {"*", "div", "mod"}}

func (p *xparser) binary(level int) (*xnode, error) {
	if level == len(xlevels) {
		return p.unary()
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 3*maxExprDepth {
		return nil, p.fail(p.peek(), "expression is nested too deeply")
	}
	l, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		match := ""
		for _, op := range xlevels[level] {
			if (t.kind == 'o' || t.kind == 'i') && t.text == op {
				match = op
			}
		}
		if match == "" {
			return l, nil
		}
		p.next()
		r, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		l = &xnode{op: match, args: []*xnode{l, r}, pos: t.pos}
	}
}

func (p *xparser) unary() (*xnode, error) {
	if p.isOp("-") {
		t := p.next()
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > 3*maxExprDepth {
			return nil, p.fail(t, "expression is nested too deeply")
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &xnode{op: "neg", args: []*xnode{x}, pos: t.pos}, nil
	}
	return p.primary()
}

func (p *xparser) primary() (*xnode, error) {
	t := p.next()
	switch t.kind {
	case 'n':
		return &xnode{op: "num", text: t.text, pos: t.pos}, nil
	case 's':
		return &xnode{op: "str", text: t.text, pos: t.pos}, nil
	case 'r':
		return &xnode{op: "ref", text: t.text, pos: t.pos}, nil
	case 'i':
		if t.text == "not" && !p.isOp("(") {
			return nil, p.fail(t, "write not(…) with parentheses")
		}
		if !p.isOp("(") {
			return nil, p.fail(t, "unexpected %s; name a question as ${%s}", xdescribe(t), t.text)
		}
		p.next()
		n := &xnode{op: "call", text: t.text, pos: t.pos}
		for !p.isOp(")") {
			if len(n.args) > 0 {
				if !p.isOp(",") {
					return nil, p.fail(p.peek(), "expected ',' or ')' but found %s", xdescribe(p.peek()))
				}
				p.next()
			}
			a, err := p.binary(0)
			if err != nil {
				return nil, err
			}
			n.args = append(n.args, a)
		}
		p.next()
		return n, nil
	case 'o':
		switch t.text {
		case ".":
			return &xnode{op: "dot", pos: t.pos}, nil
		case "(":
			n, err := p.binary(0)
			if err != nil {
				return nil, err
			}
			if !p.isOp(")") {
				return nil, p.fail(p.peek(), "expected ')' but found %s", xdescribe(p.peek()))
			}
			p.next()
			return n, nil
		}
	}
	return nil, p.fail(t, "unexpected %s", xdescribe(t))
}

// defExprOf translates an XLSForm expression to the definition's language.
// typeOf gives a question's type and whether it exists; dot is the question
// "." stands for ("" where "." is not allowed).
func defExprOf(src string, typeOf func(string) (Type, bool), dot string) (string, error) {
	n, err := parseXLSExpr(src)
	if err != nil {
		return "", err
	}
	c := &xconv{typeOf: typeOf, dot: dot}
	e, err := c.conv(n)
	if err != nil {
		return "", err
	}
	s, _ := defRender(e)
	return s, nil
}

type xconv struct {
	typeOf func(string) (Type, bool)
	dot    string
}

func (c *xconv) ref(n *xnode) (*Expr, error) {
	switch n.op {
	case "ref":
		if _, ok := c.typeOf(n.text); !ok {
			return nil, fmt.Errorf("position %d: unknown question ${%s}", n.pos, n.text)
		}
		return &Expr{Op: opRef, Str: n.text}, nil
	case "dot":
		if c.dot == "" {
			return nil, fmt.Errorf("position %d: '.' (this question) can be used only in a constraint", n.pos)
		}
		return &Expr{Op: opRef, Str: c.dot}, nil
	}
	return nil, fmt.Errorf("position %d: a question (${name}) is needed here", n.pos)
}

func (c *xconv) isYesNo(e *Expr) bool {
	if e.Op != opRef {
		return false
	}
	t, _ := c.typeOf(e.Str)
	return t == YesNo
}

var xfunctions = "selected, count-selected, not, true, false"

func (c *xconv) conv(n *xnode) (*Expr, error) {
	switch n.op {
	case "num":
		f, err := strconv.ParseFloat(n.text, 64)
		if err != nil {
			return nil, fmt.Errorf("position %d: bad number %q", n.pos, n.text)
		}
		return &Expr{Op: opNum, Num: f}, nil
	case "str":
		return &Expr{Op: opStr, Str: n.text}, nil
	case "ref", "dot":
		return c.ref(n)
	case "neg":
		x, err := c.conv(n.args[0])
		if err != nil {
			return nil, err
		}
		return &Expr{Op: opNeg, Args: []*Expr{x}}, nil
	case "mod":
		return nil, fmt.Errorf("position %d: mod is not supported", n.pos)
	case "call":
		return c.call(n)
	case "or":
		var items []*Expr
		var flat func(x *xnode) error
		flat = func(x *xnode) error {
			if x.op == "or" {
				if err := flat(x.args[0]); err != nil {
					return err
				}
				return flat(x.args[1])
			}
			e, err := c.conv(x)
			if err != nil {
				return err
			}
			items = append(items, e)
			return nil
		}
		if err := flat(n); err != nil {
			return nil, err
		}
		// selected(${q}, 'a') or selected(${q}, 'b') is selected(q, 'a', 'b').
		same := true
		for _, it := range items {
			same = same && it.Op == opSelected && it.Args[0].Str == items[0].Args[0].Str
		}
		if same {
			m := &Expr{Op: opSelected, Args: []*Expr{items[0].Args[0]}}
			for _, it := range items {
				m.Args = append(m.Args, it.Args[1:]...)
			}
			return m, nil
		}
		e := items[0]
		for _, it := range items[1:] {
			e = &Expr{Op: opOr, Args: []*Expr{e, it}}
		}
		return e, nil
	}
	l, err := c.conv(n.args[0])
	if err != nil {
		return nil, err
	}
	r, err := c.conv(n.args[1])
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "and":
		return &Expr{Op: opAnd, Args: []*Expr{l, r}}, nil
	case "div":
		return &Expr{Op: "/", Args: []*Expr{l, r}}, nil
	case "=", "!=":
		if r.Op == opRef && l.Op == opStr {
			l, r = r, l
		}
		if l.Op == opRef && r.Op == opStr {
			if c.isYesNo(l) && (r.Str == "yes" || r.Str == "no") {
				return &Expr{Op: n.op, Args: []*Expr{l, {Op: opBool, Bool: r.Str == "yes"}}}, nil
			}
			if r.Str == "" {
				a := &Expr{Op: opAnswered, Args: []*Expr{l}}
				if n.op == "=" {
					return &Expr{Op: opNot, Args: []*Expr{a}}, nil
				}
				return a, nil
			}
		}
	}
	return &Expr{Op: n.op, Args: []*Expr{l, r}}, nil
}

func (c *xconv) call(n *xnode) (*Expr, error) {
	want := func(k int) error {
		if len(n.args) != k {
			return fmt.Errorf("position %d: %s() takes %d argument(s), not %d", n.pos, n.text, k, len(n.args))
		}
		return nil
	}
	switch n.text {
	case "true", "false":
		if err := want(0); err != nil {
			return nil, err
		}
		return &Expr{Op: opBool, Bool: n.text == "true"}, nil
	case "not":
		if err := want(1); err != nil {
			return nil, err
		}
		x, err := c.conv(n.args[0])
		if err != nil {
			return nil, err
		}
		return &Expr{Op: opNot, Args: []*Expr{x}}, nil
	case "selected":
		if err := want(2); err != nil {
			return nil, err
		}
		q, err := c.ref(n.args[0])
		if err != nil {
			return nil, err
		}
		if n.args[1].op != "str" {
			return nil, fmt.Errorf("position %d: selected() takes an option name in quotes after the question", n.pos)
		}
		return &Expr{Op: opSelected, Args: []*Expr{q, {Op: opStr, Str: n.args[1].text}}}, nil
	case "count-selected":
		if err := want(1); err != nil {
			return nil, err
		}
		q, err := c.ref(n.args[0])
		if err != nil {
			return nil, err
		}
		return &Expr{Op: opCnt, Args: []*Expr{q}}, nil
	case "jr:choice-name":
		return nil, fmt.Errorf("position %d: jr:choice-name() (an option's label) is not supported: conditions compare option names, e.g. ${q} = 'name'", n.pos)
	}
	return nil, fmt.Errorf("position %d: function %s() is not supported (supported: %s)", n.pos, n.text, xfunctions)
}

// Definition-language precedence levels (loosest first).
const (
	dpOr = iota + 1
	dpAnd
	dpNot
	dpCmp
	dpSum
	dpProd
	dpNeg
	dpPrimary
)

func defQuote(s string) string {
	if strings.Contains(s, "'") {
		return `"` + s + `"`
	}
	return "'" + s + "'"
}

// defRender writes e in the definition's language, canonically.
func defRender(e *Expr) (string, int) {
	switch e.Op {
	case opNum:
		return strconv.FormatFloat(e.Num, 'f', -1, 64), dpPrimary
	case opStr:
		return defQuote(e.Str), dpPrimary
	case opBool:
		return strconv.FormatBool(e.Bool), dpPrimary
	case opRef:
		return e.Str, dpPrimary
	case opNot:
		s, p := defRender(e.Args[0])
		if p < dpPrimary {
			s = "(" + s + ")"
		}
		return "not " + s, dpNot
	case opNeg:
		s, p := defRender(e.Args[0])
		return "-" + paren(s, p, dpPrimary), dpNeg
	case opAnd, opOr:
		p := dpAnd
		if e.Op == opOr {
			p = dpOr
		}
		l, lp := defRender(e.Args[0])
		r, rp := defRender(e.Args[1])
		return paren(l, lp, p) + " " + e.Op + " " + paren(r, rp, p+1), p
	case opSelected, opAnswered, opCnt:
		parts := []string{e.Args[0].Str}
		for _, a := range e.Args[1:] {
			parts = append(parts, defQuote(a.Str))
		}
		return e.Op + "(" + strings.Join(parts, ", ") + ")", dpPrimary
	case "=", "!=", "<", "<=", ">", ">=":
		l, lp := defRender(e.Args[0])
		r, rp := defRender(e.Args[1])
		return paren(l, lp, dpSum) + " " + e.Op + " " + paren(r, rp, dpSum), dpCmp
	case "+", "-":
		l, lp := defRender(e.Args[0])
		r, rp := defRender(e.Args[1])
		return paren(l, lp, dpSum) + " " + e.Op + " " + paren(r, rp, dpProd), dpSum
	case "*", "/":
		l, lp := defRender(e.Args[0])
		r, rp := defRender(e.Args[1])
		return paren(l, lp, dpProd) + " " + e.Op + " " + paren(r, rp, dpNeg), dpProd
	}
	return "?", dpPrimary
}
