package reports

import (
	"bytes"
	"encoding/xml"
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// ---------------------------------------------------------------------
// The summary's charts as parts of the package
//
// The summary has a native chart per closed or numeric question, some 35
// for the regional questionnaire. excelize's AddChart builds each as a
// tree of structs, deep-copies its options and marshals it with
// encoding/xml: a quarter of the CPU of a workbook of 43 responses (a
// profile). The summary's charts are all alike — a bar, stacked bar or
// column chart of one or two series, styled by styleChart — so here they
// are written from a template of the very bytes AddChart writes for them
// (TestSummaryChartsAsExcelizeWrites compares every part of the file with
// one made by AddChart alone).
//
// The first chart still goes through AddChart: it links the sheet to its
// drawing (the <drawing> element of the worksheet, which excelize offers
// no other way to set) and registers the drawing's content type. The
// later charts' parts are stored in the package as bytes, each with its
// content type, and when the summary is done (finish) the drawing and its
// relationships — excelize's model of them holds only the first chart —
// are replaced by bytes naming every chart.

// summaryChart is one chart of the summary: its kind, its title and its
// series (each a name, categories and values, as references to the
// summary's cells).
type summaryChart struct {
	kind   excelize.ChartType // excelize.Bar, excelize.BarStacked or excelize.Col
	title  string
	series []excelize.ChartSeries
}

// excelize is the chart as AddChart takes it, styled as the workbooks'.
func (c *summaryChart) excelize() *excelize.Chart {
	ch := &excelize.Chart{Type: c.kind, Series: append([]excelize.ChartSeries(nil), c.series...)}
	styleChart(ch, c.title, chartWidth, chartHeight)
	return ch
}

// chartDrawing is the summary's drawing once its first chart is in: the
// anchors and relationships of every chart so far.
type chartDrawing struct {
	path, rels string // "xl/drawings/drawingN.xml" and its relationships part
	next       int    // the number of the next chart part (xl/charts/chartN.xml)
	anchors    bytes.Buffer
	links      bytes.Buffer
	n          int // charts in the drawing
	buf        bytes.Buffer
}

// The pixel sizes of columns and rows as excelize counts them when it
// anchors a chart (positionObjectPixels): a column of width w is
// int(8w+0.5) pixels, 64 without a width of its own; a row of height h
// points is ceil(h·4/3.4) pixels, and a row without a height of its own
// has the sheet's default, 15 points (18 pixels) in the sheet excelize
// makes the summary from (its template's <sheetFormatPr>).
func colPixels(width float64) int {
	if width <= 0 {
		return 64
	}
	return int(width*8 + 0.5)
}

func rowPixels(height float64) int {
	if height <= 0 {
		height = 15
	}
	return int(math.Ceil(4.0 / 3.4 * height))
}

// emu is the English Metric Units in a pixel.
const emu = 9525

// anchor appends the two-cell anchor of a chart placed at column col, row
// row (1-based) of the summary, with the offsets and size styleChart
// gives, as excelize computes and writes it.
func (x *workbook) anchor(d *chartDrawing, col, row int, descr string) {
	const offsetX = 4 // styleChart's
	colW := func(c int) int { return colPixels(summaryColWidth(c)) }
	rowH := func(r int) int { return rowPixels(x.rowHeights[r]) }
	colEnd, rowEnd := col-1, row-1
	x1, y1 := min(offsetX, colW(col)), min(0, rowH(row))
	x2, y2 := chartWidth+x1, chartHeight+y1
	for x2 >= colW(colEnd+1) {
		colEnd++
		x2 -= colW(colEnd)
	}
	for y2 >= rowH(rowEnd+1) {
		rowEnd++
		y2 -= rowH(rowEnd)
	}
	d.n++
	id := strconv.Itoa(d.n + 1) // excelize numbers a drawing's objects from 2
	b := &d.anchors
	b.WriteString(`<xdr:twoCellAnchor><xdr:from><xdr:col>`)
	b.WriteString(strconv.Itoa(col - 1))
	b.WriteString(`</xdr:col><xdr:colOff>`)
	b.WriteString(strconv.Itoa(x1 * emu))
	b.WriteString(`</xdr:colOff><xdr:row>`)
	b.WriteString(strconv.Itoa(row - 1))
	b.WriteString(`</xdr:row><xdr:rowOff>`)
	b.WriteString(strconv.Itoa(y1 * emu))
	b.WriteString(`</xdr:rowOff></xdr:from><xdr:to><xdr:col>`)
	b.WriteString(strconv.Itoa(colEnd))
	b.WriteString(`</xdr:col><xdr:colOff>`)
	b.WriteString(strconv.Itoa(x2 * emu))
	b.WriteString(`</xdr:colOff><xdr:row>`)
	b.WriteString(strconv.Itoa(rowEnd))
	b.WriteString(`</xdr:row><xdr:rowOff>`)
	b.WriteString(strconv.Itoa(y2 * emu))
	b.WriteString(`</xdr:rowOff></xdr:to><xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="`)
	b.WriteString(id)
	b.WriteString(`" name="Chart `)
	b.WriteString(id)
	b.WriteString(`" descr="`)
	_ = xml.EscapeText(b, []byte(descr))
	b.WriteString(`"></xdr:cNvPr><xdr:cNvGraphicFramePr></xdr:cNvGraphicFramePr></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"></a:off><a:ext cx="0" cy="0"></a:ext></xdr:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" r:id="rId`)
	b.WriteString(strconv.Itoa(d.n))
	b.WriteString(`" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"></c:chart></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData fLocksWithSheet="true" fPrintsWithSheet="true"></xdr:clientData></xdr:twoCellAnchor>`)
}

// link appends the drawing's relationship to chart part number chart.
func (d *chartDrawing) link(chart int) {
	b := &d.links
	b.WriteString(`<Relationship Id="rId`)
	b.WriteString(strconv.Itoa(d.n))
	b.WriteString(`" Target="../charts/chart`)
	b.WriteString(strconv.Itoa(chart))
	b.WriteString(`.xml" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"></Relationship>`)
}

// addChart puts a chart beside the table that starts at row top.
func (x *workbook) addChart(top int, c summaryChart) {
	if x.err != nil {
		return
	}
	cell := cellName(chartCol, top)
	if x.chartsByExcelize {
		x.err = x.f.AddChart(SheetSummary, cell, c.excelize())
		return
	}
	if x.charts == nil {
		x.firstChart(top, &c)
		return
	}
	d := x.charts
	x.anchor(d, chartCol, top, c.title)
	d.link(d.next)
	part := "xl/charts/chart" + strconv.Itoa(d.next) + ".xml"
	d.next++
	d.buf.Reset()
	writeChartXML(&d.buf, &c)
	x.f.Pkg.Store(part, bytes.Clone(d.buf.Bytes()))
	x.err = x.addOverride("/"+part, excelize.ContentTypeDrawingML)
}

// firstChart adds the summary's first chart with AddChart, which makes
// the drawing and links the sheet to it, and notes the drawing's parts.
func (x *workbook) firstChart(top int, c *summaryChart) {
	f := x.f
	before := map[any]bool{}
	f.Drawings.Range(func(k, _ any) bool { before[k] = true; return true })
	if x.err = f.AddChart(SheetSummary, cellName(chartCol, top), c.excelize()); x.err != nil {
		return
	}
	d := &chartDrawing{}
	f.Drawings.Range(func(k, _ any) bool {
		if !before[k] {
			d.path, _ = k.(string)
		}
		return true
	})
	charts := 0
	f.Pkg.Range(func(k, _ any) bool {
		if s, _ := k.(string); strings.HasPrefix(s, "xl/charts/chart") {
			charts++
		}
		return true
	})
	name, ok := strings.CutPrefix(d.path, "xl/drawings/")
	if !ok || charts == 0 {
		x.err = errors.New("reports: the summary's first chart made no drawing")
		return
	}
	d.rels = "xl/drawings/_rels/" + name + ".rels"
	x.anchor(d, chartCol, top, c.title)
	d.link(charts)
	d.next = charts + 1
	x.charts = d
}

// addOverride registers a part's content type. excelize's model of the
// content types has no exported element type, so a copy of an element it
// holds (AddChart has added the drawing's and the first chart's) is
// appended with the part's name and type.
func (x *workbook) addOverride(part, contentType string) error {
	ct := x.f.ContentTypes
	if ct == nil || len(ct.Overrides) == 0 {
		return errors.New("reports: no content types to add a chart's to")
	}
	o := ct.Overrides[len(ct.Overrides)-1]
	o.PartName, o.ContentType = part, contentType
	ct.Overrides = append(ct.Overrides, o)
	return nil
}

// finishCharts replaces excelize's model of the summary's drawing and its
// relationships, which hold the first chart only, by bytes naming every
// chart; excelize then writes them as they are.
func (x *workbook) finishCharts() {
	d := x.charts
	if d == nil || x.err != nil {
		return
	}
	var b bytes.Buffer
	b.Grow(len(xml.Header) + 400 + d.anchors.Len())
	b.WriteString(xml.Header)
	b.WriteString(`<xdr:wsDr xmlns="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">`)
	b.Write(d.anchors.Bytes())
	b.WriteString(`</xdr:wsDr>`)
	var r bytes.Buffer
	r.WriteString(xml.Header)
	r.WriteString(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	r.Write(d.links.Bytes())
	r.WriteString(`</Relationships>`)
	x.f.Drawings.Delete(d.path)
	x.f.Relationships.Delete(d.rels)
	x.f.Pkg.Store(d.path, b.Bytes())
	x.f.Pkg.Store(d.rels, r.Bytes())
}

// writeChartXML writes the chart part of c as AddChart writes it for a
// chart styled by styleChart.
func writeChartXML(b *bytes.Buffer, c *summaryChart) {
	dir, grouping, orient, catPos := "col", "clustered", "minMax", "b"
	bar := c.kind == excelize.Bar || c.kind == excelize.BarStacked
	if bar {
		dir, orient, catPos = "bar", "maxMin", "t" // styleChart reverses the categories of bars
	}
	if c.kind == excelize.BarStacked {
		grouping = "stacked"
	}
	b.WriteString(xml.Header)
	b.WriteString(chartHead)
	_ = xml.EscapeText(b, []byte(c.title))
	b.WriteString(chartTitleEnd)
	b.WriteString(dir)
	b.WriteString(`"></barDir><grouping val="`)
	b.WriteString(grouping)
	b.WriteString(`"></grouping><varyColors val="0"></varyColors>`)
	for i, s := range c.series {
		n := strconv.Itoa(i)
		b.WriteString(`<ser><idx val="`)
		b.WriteString(n)
		b.WriteString(`"></idx><order val="`)
		b.WriteString(n)
		b.WriteString(`"></order><tx><strRef><f>`)
		_ = xml.EscapeText(b, []byte(s.Name))
		b.WriteString(`</f></strRef></tx><invertIfNegative val="0"></invertIfNegative><dLbls><spPr></spPr><txPr><a:bodyPr anchorCtr="false" rot="0" spcFirstLastPara="false"></a:bodyPr><a:p><a:pPr><a:defRPr b="false" baseline="0" i="false" kern="0" spc="0"></a:defRPr></a:pPr></a:p></txPr>`)
		b.WriteString(chartShowVal)
		b.WriteString(`</dLbls><cat><strRef><f>`)
		_ = xml.EscapeText(b, []byte(s.Categories))
		b.WriteString(`</f></strRef></cat><val><numRef><f>`)
		_ = xml.EscapeText(b, []byte(s.Values))
		b.WriteString(`</f><numCache><formatCode></formatCode></numCache></numRef></val></ser>`)
	}
	b.WriteString(`<dLbls>`)
	b.WriteString(chartShowVal)
	b.WriteString(`</dLbls>`)
	if c.kind == excelize.BarStacked {
		b.WriteString(`<overlap val="100"></overlap>`)
	}
	b.WriteString(`<axId val="100000000"></axId><axId val="100000001"></axId></barChart><catAx><axId val="100000000"></axId><scaling><orientation val="`)
	b.WriteString(orient)
	b.WriteString(`"></orientation></scaling><delete val="0"></delete><axPos val="`)
	b.WriteString(catPos)
	b.WriteString(`"></axPos>`)
	b.WriteString(chartAxis)
	b.WriteString(`<crossAx val="100000001"></crossAx><crosses val="autoZero"></crosses><auto val="1"></auto><lblAlgn val="ctr"></lblAlgn><lblOffset val="100"></lblOffset><noMultiLvlLbl val="0"></noMultiLvlLbl></catAx><valAx><axId val="100000001"></axId><scaling><orientation val="minMax"></orientation><min val="0"></min></scaling><delete val="0"></delete><axPos val="l"></axPos>`)
	b.WriteString(chartAxis)
	b.WriteString(`<crossAx val="100000000"></crossAx><crosses val="autoZero"></crosses><crossBetween val="between"></crossBetween></valAx><spPr></spPr></plotArea>`)
	if len(c.series) > 1 {
		b.WriteString(`<legend><legendPos val="b"></legendPos><overlay val="0"></overlay></legend>`)
	}
	b.WriteString(`<plotVisOnly val="0"></plotVisOnly><dispBlanksAs val="gap"></dispBlanksAs><showDLblsOverMax val="0"></showDLblsOverMax></chart><spPr></spPr><printSettings><pageMargins b="0.75" footer="0.3" header="0.3" l="0.7" r="0.7" t="0.7"></pageMargins></printSettings></chartSpace>`)
}

// The constant stretches of a chart part.
const (
	chartHead     = `<chartSpace xmlns="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><date1904 val="0"></date1904><lang val="en-US"></lang><roundedCorners val="0"></roundedCorners><chart><title><tx><rich><a:bodyPr anchorCtr="false" rot="0" spcFirstLastPara="false"></a:bodyPr><a:p><a:pPr><a:defRPr b="false" baseline="0" i="false" kern="0" spc="0"><a:latin typeface="+mn-lt"></a:latin><a:ea typeface="+mn-ea"></a:ea><a:cs typeface="+mn-cs"></a:cs></a:defRPr></a:pPr><a:r><a:rPr b="true" baseline="0" i="false" kern="0" spc="0" sz="1000"><a:solidFill><a:srgbClr val="595959"></a:srgbClr></a:solidFill></a:rPr><a:t>`
	chartTitleEnd = `</a:t></a:r><a:endParaRPr lang="en-US" altLang="en-US"></a:endParaRPr></a:p></rich></tx><overlay val="0"></overlay><spPr></spPr><txPr><a:bodyPr anchorCtr="false" rot="0" spcFirstLastPara="false"></a:bodyPr><a:p></a:p></txPr></title><view3D><rotX val="0"></rotX><rotY val="0"></rotY><rAngAx val="0"></rAngAx><perspective val="0"></perspective></view3D><floor><thickness val="0"></thickness></floor><sideWall><thickness val="0"></thickness></sideWall><backWall><thickness val="0"></thickness></backWall><plotArea><barChart><barDir val="`
	chartShowVal  = `<showLegendKey val="0"></showLegendKey><showVal val="1"></showVal><showCatName val="0"></showCatName><showSerName val="0"></showSerName><showPercent val="0"></showPercent><showBubbleSize val="0"></showBubbleSize><showLeaderLines val="0"></showLeaderLines>`
	chartAxis     = `<numFmt formatCode="General" sourceLinked="false"></numFmt><majorTickMark val="none"></majorTickMark><minorTickMark val="none"></minorTickMark><tickLblPos val="nextTo"></tickLblPos><spPr><a:ln algn="ctr" cap="flat" cmpd="sng" w="9525"><a:solidFill><a:schemeClr val="tx1"><a:lumMod val="15000"></a:lumMod><a:lumOff val="85000"></a:lumOff></a:schemeClr></a:solidFill></a:ln></spPr><txPr><a:bodyPr anchor="ctr" anchorCtr="true" rot="0" spcFirstLastPara="true" vert="horz" vertOverflow="ellipsis" wrap="square"></a:bodyPr><a:p><a:pPr><a:defRPr b="false" baseline="0" i="false" kern="1200" spc="0" strike="noStrike" sz="900" u="none"><a:solidFill><a:schemeClr val="tx1"><a:lumMod val="15000"></a:lumMod><a:lumOff val="85000"></a:lumOff></a:schemeClr></a:solidFill><a:latin typeface="+mn-lt"></a:latin><a:ea typeface="+mn-ea"></a:ea><a:cs typeface="+mn-cs"></a:cs></a:defRPr></a:pPr><a:endParaRPr lang="en-US"></a:endParaRPr></a:p></txPr>`
)
