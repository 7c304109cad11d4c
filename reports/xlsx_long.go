package reports

import (
	"encoding/json"
	"strconv"

	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// longWriter writes the long sheet: one row per answer value, continued
// on numbered pages past Excel's row limit.
type longWriter struct {
	x    *workbook
	p    *pagedSheet
	vals []any
	val  excelize.Cell
}

func (lw *longWriter) add(muni, code, option string, v any, format string) error {
	lw.vals[0], lw.vals[1] = muni, code
	lw.vals[2] = nil
	if option != "" {
		lw.vals[2] = option
	}
	lw.val.Value, lw.val.StyleID = v, 0
	if format != "" {
		lw.val.StyleID = lw.x.num(format)
	}
	return lw.p.add(lw.vals)
}

func (lw *longWriter) response(r *Row) error {
	muni := r.Municipality.Code
	return lw.x.longValues(r, func(code, option string, v any, format string) error {
		return lw.add(muni, code, option, v, format)
	})
}

// longValues calls emit for each row of the long sheet a response gives:
// the question (or "other" text) code, the option code, the value and its
// number format.
func (x *workbook) longValues(r *Row, emit func(code, option string, v any, format string) error) error {
	for _, q := range x.questions {
		v, ok := r.Answers[q.Code]
		if ok && v != nil {
			var err error
			switch q.Type {
			case survey.Single:
				s, isStr := v.(string)
				if !isStr {
					err = emit(q.Code, "", textOf(v), "")
				} else {
					err = emit(q.Code, s, x.optionLabel(q, s), "")
				}
			case survey.Multi:
				list, isList := v.([]string)
				if !isList {
					err = emit(q.Code, "", textOf(v), "")
				}
				for _, c := range list {
					if err = emit(q.Code, c, x.optionLabel(q, c), ""); err != nil {
						break
					}
				}
			case survey.YesNo:
				if b, isBool := v.(bool); isBool {
					err = emit(q.Code, strconv.FormatBool(b), x.yesNo(b), "")
				} else {
					err = emit(q.Code, "", textOf(v), "")
				}
			default:
				if n, isNum := v.(json.Number); isNum && q.Type.IsNumber() {
					err = emit(q.Code, "", numberValue(q, n), x.numberFormat(q))
				} else {
					err = emit(q.Code, "", textOf(v), "")
				}
			}
			if err != nil {
				return err
			}
		}
		if q.Other {
			if s, ok := r.Answers[q.OtherKey()].(string); ok && s != "" {
				if err := emit(q.OtherKey(), "", s, ""); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
