package survey

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"
	yamlparser "github.com/goccy/go-yaml/parser"
)

// Limits on a definition file. Parse checks them before a decoder sees the
// file, in one pass over its bytes (scanShape) that allocates nothing.
// They are there because of the YAML decoder (goccy/go-yaml): its memory
// grows with the square of the nesting depth (8 KB of "[" take 140 MB,
// 200 KB run out of memory before its own depth check), of the keys of one
// mapping and of the entries of one flow list, and an alias repeats
// everything its anchor holds, so 1 KB of anchors can stand for a billion
// values. Each limit is far above what a questionnaire needs — the 2025
// one has 24 KB (19 KB as JSON), 685 lines, nesting 9 deep as counted
// here, at most 12 entries in one list or mapping and about 1,600 values —
// and together they keep any file the decoder reads to about 16 MB in use
// and 45 MB allocated in all (measured with files built up to the limits;
// the 2025 file takes 2.3 MB).
const (
	// MaxDefinitionBytes is the largest definition file, YAML or JSON.
	MaxDefinitionBytes = 512 << 10
	// MaxDefinitionLines is the most lines a definition file may have.
	MaxDefinitionLines = 20_000
	// MaxDefinitionDepth is the deepest nesting: block levels (by
	// indentation and "- " entries) plus open "[" and "{".
	MaxDefinitionDepth = 32
	// MaxDefinitionEntries is the most entries of one list or mapping
	// (lines at one indentation under one parent, or items of a "[…]" or
	// "{…}").
	MaxDefinitionEntries = 500
	// MaxDefinitionValues is the most values (keys, list items, texts,
	// numbers) of a file, counting what each alias repeats.
	MaxDefinitionValues = 20_000
)

// scanShape measures a definition's size and shape in one pass over its
// bytes and returns the first limit it exceeds ("" when none), the values
// it counted, and whether the file may hold an alias. It errs on the side
// of counting too much: it does not tell text from structure, so a bracket,
// comma, " - " or "word:" inside a text counts as one outside (a closing
// bracket never closes more than is open), and the indentation of every
// line counts as block structure, even in a flow collection or a block
// scalar. For JSON indentation is not counted (it means nothing there).
func scanShape(data []byte, isJSON bool) (problem string, values int, maybeAlias bool) {
	if len(data) > MaxDefinitionBytes {
		return fmt.Sprintf("the file has %d bytes; a definition may have at most %d", len(data), MaxDefinitionBytes), 0, false
	}
	var (
		blockCol, blockN [MaxDefinitionDepth]int // open block levels: column, entries
		flowN            [MaxDefinitionDepth]int // open flow collections: entries
		nb, nf, line     int
	)
	tooDeep := func() string {
		return fmt.Sprintf("line %d: nested too deeply; a definition may nest at most %d levels", line, MaxDefinitionDepth)
	}
	tooWide := func() string {
		return fmt.Sprintf("line %d: too many entries in one list or mapping; at most %d", line, MaxDefinitionEntries)
	}
	for rest := data; len(rest) > 0; {
		l := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			l, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		line++
		if line > MaxDefinitionLines {
			return fmt.Sprintf("the file has more than %d lines; a definition may have at most %d", MaxDefinitionLines, MaxDefinitionLines), values, maybeAlias
		}
		i := 0
		for i < len(l) && isBlank(l[i]) {
			i++
		}
		if i == len(l) || l[i] == '#' {
			continue // blank, or only a comment
		}
		values++
		// Block levels: the column where the line's content starts, and
		// one more for each "- ", "? " or ": " that opens a node further
		// right on the same line ("- - x" is two lists deep).
		for c := i; !isJSON; {
			for nb > 0 && blockCol[nb-1] > c {
				nb--
			}
			if nb > 0 && blockCol[nb-1] == c {
				if blockN[nb-1]++; blockN[nb-1] > MaxDefinitionEntries {
					return tooWide(), values, maybeAlias
				}
			} else {
				if nb+nf >= MaxDefinitionDepth {
					return tooDeep(), values, maybeAlias
				}
				blockCol[nb], blockN[nb] = c, 1
				nb++
			}
			if !isIndicator(l, c) {
				break
			}
			for c++; c < len(l) && isBlank(l[c]); c++ {
			}
			if c == len(l) || l[c] == '#' {
				break
			}
			values++
		}
		// Flow collections and their entries, word by word between blanks
		// and flow indicators. A run of "-", "?" and "key:" words (node
		// properties such as !tag and &anchor between them do not end it)
		// opens a node inside the one before, anywhere on the line: "[ - - x"
		// is three deep.
		run := 0
		for k := i; k < len(l); {
			switch b := l[k]; {
			case isBlank(b):
				k++
				continue
			case b == '[' || b == '{':
				if nb+nf+run >= MaxDefinitionDepth {
					return tooDeep(), values, maybeAlias
				}
				flowN[nf] = 0
				nf++
				values++
				run = 0
				k++
				continue
			case b == ']' || b == '}':
				if nf > 0 {
					nf--
				}
				run = 0
				k++
				continue
			case b == ',':
				if nf > 0 {
					if flowN[nf-1]++; flowN[nf-1] > MaxDefinitionEntries {
						return tooWide(), values, maybeAlias
					}
				}
				values++
				run = 0
				k++
				continue
			}
			e := k
			for e < len(l) && !isBlank(l[e]) && strings.IndexByte("[]{},", l[e]) < 0 {
				e++
			}
			switch w := l[k:e]; {
			case len(w) == 1 && (w[0] == '-' || w[0] == '?' || w[0] == ':'), w[len(w)-1] == ':':
				run++
				values++
				if nb+nf+run > MaxDefinitionDepth {
					return tooDeep(), values, maybeAlias
				}
			case w[0] == '!' || w[0] == '&':
			default:
				run = 0
			}
			k = e
		}
		// An alias: "*name" where a node may start.
		for k := i; k < len(l) && !maybeAlias; k++ {
			maybeAlias = l[k] == '*' && k+1 < len(l) && !isBlank(l[k+1]) &&
				(k == i || strings.IndexByte(" \t\r:-?[{,", l[k-1]) >= 0)
		}
		if values > MaxDefinitionValues {
			return tooMany(), values, maybeAlias
		}
	}
	return "", values, maybeAlias
}

func tooMany() string {
	return fmt.Sprintf("the file has more than %d values (keys, list items, texts, numbers); a definition may have at most %d",
		MaxDefinitionValues, MaxDefinitionValues)
}

func isBlank(b byte) bool { return b == ' ' || b == '\t' || b == '\r' }

// isIndicator reports whether l[c] is "-", "?" or ":" followed by a blank
// or the end of the line: the start of a list entry, a complex key or a
// value, with the node itself further right.
func isIndicator(l []byte, c int) bool {
	switch l[c] {
	case '-', '?', ':':
		return c+1 == len(l) || isBlank(l[c+1])
	}
	return false
}

// aliasProblem parses YAML that may hold aliases and counts the values an
// alias repeats (everything its anchor holds) on top of the values the
// file itself has. It returns a problem when together they are more than
// MaxDefinitionValues, and "" also when the file does not parse (decoding
// then reports why).
func aliasProblem(data []byte, values int) (problem string) {
	defer func() {
		if recover() != nil {
			problem = "" // decoding reports what the parser tripped over
		}
	}()
	f, err := yamlparser.ParseBytes(data, 0)
	if err != nil {
		return ""
	}
	c := &valueCounter{anchors: map[string]int{}}
	for _, doc := range f.Docs {
		ast.Walk(c, doc)
	}
	if values+c.repeated > MaxDefinitionValues {
		return fmt.Sprintf("with what its aliases (*name) repeat, the file has more than %d values; a definition may have at most %d",
			MaxDefinitionValues, MaxDefinitionValues)
	}
	return ""
}

// valueCounter counts the nodes of a YAML tree (n) and how many of them
// aliases repeat (repeated), each alias standing for its anchor's nodes.
// Counts stop growing past the limit, so no count overflows.
type valueCounter struct {
	anchors     map[string]int
	n, repeated int
}

func (c *valueCounter) Visit(node ast.Node) ast.Visitor {
	if node == nil || c.repeated > MaxDefinitionValues {
		return nil
	}
	switch n := node.(type) {
	case *ast.AnchorNode:
		// Count what the anchor holds once, and remember it for its aliases.
		inner := &valueCounter{anchors: c.anchors}
		if n.Value != nil {
			ast.Walk(inner, n.Value)
		}
		if n.Name != nil && n.Name.GetToken() != nil {
			c.anchors[n.Name.GetToken().Value] = inner.n
		}
		c.n = min(c.n+1+inner.n, MaxDefinitionValues+1)
		c.repeated = min(c.repeated+inner.repeated, MaxDefinitionValues+1)
		return nil
	case *ast.AliasNode:
		if n.Value != nil && n.Value.GetToken() != nil {
			k := c.anchors[n.Value.GetToken().Value]
			c.n = min(c.n+k, MaxDefinitionValues+1)
			c.repeated = min(c.repeated+k, MaxDefinitionValues+1)
		}
		return nil
	}
	c.n = min(c.n+1, MaxDefinitionValues+1)
	return c
}
