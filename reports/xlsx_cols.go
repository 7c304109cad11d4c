package reports

import (
	"reflect"
	"unsafe"

	"github.com/xuri/excelize/v2"
)

// Column widths of a streamed sheet, set at once. excelize's SetColWidth
// flattens the sheet's columns at every call (flatCols): each column set
// so far becomes an element of its own again, deep-copied by reflection,
// and is looked up among the new ones one by one. For the wide sheet's
// hundred-odd columns in some fifty runs of equal widths that is thousands
// of deep copies, about 1.4 ms of a workbook of 43 responses (a profile).
// What the calls leave behind is simple: every column an element of its
// own, in ascending order, with its width and customWidth — so
// setColsFlat puts that list in excelize's model of the sheet directly.
// excelize has no API for it; the fields are looked up by name and type,
// and when they are not what this expects (another excelize version), or
// the sheet has columns or rows already, it does nothing and reports
// false: setColWidths then calls SetColWidth as before.
// TestColWidthsAtOnce compares the sheet written both ways.

// setColsFlat sets the columns of a streamed sheet that has none yet to
// cols (runs given left to right, ascending, not overlapping), one
// element per column, as SetColWidth called for each run right to left
// leaves them; it reports whether it did.
func setColsFlat(sw *excelize.StreamWriter, cols []colWidth) bool {
	last := 0
	for _, c := range cols {
		if c.from <= last || c.to < c.from || c.to > excelize.MaxColumns || c.width > excelize.MaxColumnWidth {
			return false
		}
		last = c.to
	}
	s := reflect.ValueOf(sw).Elem()
	written, ws := s.FieldByName("sheetWritten"), s.FieldByName("worksheet")
	if !written.IsValid() || written.Kind() != reflect.Bool || written.Bool() ||
		!ws.IsValid() || ws.Kind() != reflect.Pointer || ws.IsNil() || ws.Elem().Kind() != reflect.Struct {
		return false
	}
	field := ws.Elem().FieldByName("Cols") // *xlsxCols
	if !field.IsValid() || field.Kind() != reflect.Pointer || !field.IsNil() || field.Type().Elem().Kind() != reflect.Struct {
		return false
	}
	colsT := field.Type().Elem()
	list, ok := colsT.FieldByName("Col") // []xlsxCol
	if !ok || len(list.Index) != 1 || list.Type.Kind() != reflect.Slice || list.Type.Elem().Kind() != reflect.Struct {
		return false
	}
	colT := list.Type.Elem()
	// Every field of an element is left zero but these.
	want := map[string]reflect.Type{"Min": reflect.TypeFor[int](), "Max": reflect.TypeFor[int](),
		"Width": reflect.TypeFor[*float64](), "CustomWidth": reflect.TypeFor[bool]()}
	idx := map[string]int{}
	for name, typ := range want {
		f, ok := colT.FieldByName(name)
		if !ok || f.Type != typ || len(f.Index) != 1 || !f.IsExported() {
			return false
		}
		idx[name] = f.Index[0]
	}
	elems := reflect.MakeSlice(list.Type, 0, last)
	for _, c := range cols {
		w := c.width
		for i := c.from; i <= c.to; i++ {
			e := reflect.New(colT).Elem()
			e.Field(idx["Min"]).SetInt(int64(i))
			e.Field(idx["Max"]).SetInt(int64(i))
			e.Field(idx["Width"]).Set(reflect.ValueOf(&w))
			e.Field(idx["CustomWidth"]).SetBool(true)
			elems = reflect.Append(elems, e)
		}
	}
	v := reflect.New(colsT)
	v.Elem().FieldByIndex(list.Index).Set(elems)
	reflect.NewAt(field.Type(), unsafe.Pointer(field.UnsafeAddr())).Elem().Set(v)
	return true
}
