package web

import (
	"fmt"
	"strings"
	"time"
)

// lang is the language of a page: "lv" (default) or "en".
type lang string

const (
	lv lang = "lv"
	en lang = "en"
)

// messages holds the interface wording, Latvian first. Keys are stable names;
// %s/%d are filled by T.
var messages = map[string][2]string{
	"lang.switch":         {"English", "Latviski"},
	"lang.switch.code":    {"en", "lv"},
	"required.note":       {"Ar * atzīmētie jautājumi ir obligāti.", "Questions marked * are required."},
	"required.sr":         {"(obligāts)", "(required)"},
	"sections":            {"Sadaļas", "Sections"},
	"progress":            {"%d no %d", "%d of %d"},
	"progress.sr":         {"aizpildīti obligātie jautājumi: %d no %d", "required questions answered: %d of %d"},
	"show.all":            {"Rādīt visas sadaļas", "Show all sections"},
	"show.one":            {"Rādīt pa vienai sadaļai", "Show one section at a time"},
	"prev":                {"← Iepriekšējā sadaļa", "← Previous section"},
	"next":                {"Nākamā sadaļa →", "Next section →"},
	"save":                {"Saglabāt", "Save"},
	"submit":              {"Iesniegt anketu", "Submit the questionnaire"},
	"resubmit":            {"Iesniegt atkārtoti", "Submit again"},
	"yes":                 {"Jā", "Yes"},
	"no":                  {"Nē", "No"},
	"other.specify":       {"Norādiet, kas tieši:", "Please specify:"},
	"no.answer":           {"Nav atbildes", "No answer"},
	"noscript":            {"Pārlūkā nav ieslēgts JavaScript: atbildes saglabājiet ar pogu „Saglabāt“. Pēc saglabāšanas var parādīties papildu jautājumi, kas atkarīgi no jūsu atbildēm.", "JavaScript is off: save your answers with the “Save” button. Further questions that depend on your answers may appear after saving."},
	"status.draft":        {"Anketa vēl nav iesniegta. Atbildes tiek saglabātas automātiski.", "The questionnaire has not been submitted yet. Answers are saved automatically."},
	"status.submitted":    {"Anketa iesniegta %s. Līdz termiņa beigām atbildes var labot un iesniegt atkārtoti.", "The questionnaire was submitted on %s. You can correct and resubmit your answers until the deadline."},
	"status.changed":      {"Pēc iesniegšanas ir izmaiņas, kas vēl nav iesniegtas. Lai tās nonāktu apkopojumā, iesniedziet anketu atkārtoti.", "There are changes made after submitting that have not been submitted. Submit again so they are included in the results."},
	"deadline":            {"Atbildes var saglabāt un labot līdz %s.", "You can save and correct your answers until %s."},
	"closed":              {"Aptauja ir slēgta kopš %s. Atbildes vairs nevar mainīt.", "The survey closed on %s. Answers can no longer be changed."},
	"closed.submitted":    {"Jūsu iesniegtās atbildes (iesniegtas %s):", "Your submitted answers (submitted on %s):"},
	"closed.notsubmitted": {"Anketa netika iesniegta. Zemāk redzamas saglabātās atbildes.", "The questionnaire was not submitted. The saved answers are shown below."},
	"closed.unsent":       {"Pēc pēdējās iesniegšanas veiktās izmaiņas netika iesniegtas, tāpēc šeit nav parādītas.", "Changes made after the last submission were not submitted and are not shown here."},
	"notopen.title":       {"Aptauja vēl nav atvērta", "The survey is not open yet"},
	"notopen.body":        {"Anketu varēs aizpildīt no %s.", "You can fill in the questionnaire from %s."},
	"saved.flash":         {"Atbildes saglabātas.", "Your answers have been saved."},
	"submitted.flash":     {"Paldies! Anketa iesniegta. Līdz termiņa beigām atbildes vēl var labot un iesniegt atkārtoti.", "Thank you! The questionnaire has been submitted. You can still correct and resubmit your answers until the deadline."},
	"errors.save":         {"Dažas atbildes nav saglabātas. Lūdzu, pārbaudiet atzīmētos jautājumus:", "Some answers were not saved. Please check the questions marked:"},
	"errors.submit":       {"Anketu vēl nevar iesniegt. Lūdzu, izlabojiet atzīmētos jautājumus:", "The questionnaire cannot be submitted yet. Please correct the questions marked:"},
	"errors.submit.saved": {"Jūsu atbildes ir saglabātas, bet anketu vēl nevar iesniegt. Lūdzu, izlabojiet atzīmētos jautājumus:", "Your answers have been saved, but the questionnaire cannot be submitted yet. Please correct the questions marked:"},
	"conflict.title":      {"Kamēr jūs rakstījāt, kolēģis saglabāja citas atbildes.", "While you were typing, a colleague saved different answers."},
	"home.title":          {"Pašvaldību aptauja par sabiedrības līdzdalību", "Survey of municipalities on public participation"},
	"home.body":           {"Anketu atver ar pašvaldības personīgo saiti, ko nosūtīja aptaujas koordinatori. Ja saites nav, lūdziet to koordinatoriem.", "The questionnaire opens with the municipality’s personal link sent by the survey coordinators. If you do not have it, ask the coordinators."},
	"notfound.title":      {"Saite nav derīga", "This link is not valid"},
	"pagenotfound.title":  {"Lapa nav atrasta", "Page not found"},
	"pagenotfound.body":   {"Šādas lapas nav. Iespējams, adrese ir ievadīta ar kļūdu vai lapa ir pārvietota.", "There is no such page. The address may be mistyped, or the page has moved."},
	"pagenotfound.home":   {"Uz sākumlapu", "Go to the home page"},
	"notfound.api":        {"Šajā adresē nekā nav.", "Nothing was found at this address."},
	"notfound.body":       {"Iespējams, saite ir nomainīta vai atsaukta, vai arī tā nav nokopēta pilnībā. Lūdziet jaunu saiti aptaujas koordinatoram.", "The link may have been replaced or withdrawn, or it was not copied in full. Ask the survey coordinator for a new link."},
	"error.title":         {"Radās kļūda", "Something went wrong"},
	"error.body":          {"Jūsu iepriekš saglabātās atbildes nav zudušas. Mēģiniet vēlreiz pēc brīža; ja kļūda atkārtojas, nosūtiet koordinatoram kļūdas kodu %s.", "Answers you saved before are not lost. Please try again in a moment; if the error persists, send the coordinator the error code %s."},
	"toolarge.body":       {"Nosūtītie dati ir pārāk lieli (vairāk nekā 1 MiB). Nekas netika saglabāts.", "The data sent is too large (over 1 MiB). Nothing was saved."},
	"badrequest.body":     {"Pieprasījumu neizdevās nolasīt. Nekas netika saglabāts.", "The request could not be read. Nothing was saved."},
	"badtext.title":       {"Neatļautas rakstzīmes", "Characters not accepted"},
	"badtext.body":        {"Adresē vai kādā no laukiem ir rakstzīmes, ko nevar pieņemt (nulles baits vai nederīgs UTF-8 kodējums). Nekas netika saglabāts. Ja tekstu iekopējāt no cita dokumenta, ierakstiet to no jauna vai iekopējiet kā vienkāršu tekstu.", "The address or one of the fields holds characters that cannot be accepted (a NUL byte or invalid UTF-8). Nothing was saved. If you pasted the text from another document, type it again or paste it as plain text."},
	"headers.toolarge":    {"Pieprasījuma galvenes ir pārāk lielas (parasti — pārāk daudz vai pārāk lielas sīkdatnes). Izdzēsiet šīs vietnes sīkdatnes un mēģiniet vēlreiz.", "The request's headers are too large (usually too many or too large cookies). Delete this site's cookies and try again."},
	"badrequest.case":     {"Pieprasījumā ir lauks „%s“, bet tam jābūt „%s“: lauku nosaukumos lielie un mazie burti atšķiras. Nekas netika saglabāts.", "The request has a field “%s”, which must be “%s”: field names are case-sensitive. Nothing was saved."},
	"badrequest.unknown":  {"Pieprasījumā ir nezināms lauks „%s“. Nekas netika saglabāts.", "The request has an unknown field “%s”. Nothing was saved."},
	"badrequest.twice":    {"Pieprasījumā „%s“ norādīts divreiz vienā objektā. Nekas netika saglabāts.", "The request gives “%s” twice in one object. Nothing was saved."},
	"badrequest.deep":     {"Pieprasījuma JSON ir pārāk dziļi ligzdots. Nekas netika saglabāts.", "The request’s JSON is nested too deeply. Nothing was saved."},
	"closedaction.body":   {"Aptauja ir slēgta, tāpēc atbildes vairs nevar mainīt.", "The survey is closed, so answers can no longer be changed."},
	"notopenaction.body":  {"Aptauja vēl nav atvērta, tāpēc atbildes vēl nevar saglabāt.", "The survey is not open yet, so answers cannot be saved yet."},
	"back":                {"Atpakaļ uz anketu", "Back to the questionnaire"},
	"js.saving":           {"Saglabā…", "Saving…"},
	"js.saved":            {"Saglabāts %s", "Saved at %s"},
	"js.unsaved":          {"Ir nesaglabātas izmaiņas", "There are unsaved changes"},
	"js.offline":          {"Nav savienojuma ar serveri. Izmaiņas saglabāsim, tiklīdz tas atjaunosies — neaizveriet lapu.", "No connection to the server. Your changes will be saved as soon as it is back — do not close the page."},
	"js.failed":           {"Neizdevās saglabāt (%s). Mēģināsim vēlreiz.", "Saving failed (%s). We will try again."},
	"js.invalid":          {"Dažas vērtības nav saglabātas, jo tās jāizlabo.", "Some values have not been saved because they need correcting."},
	"js.number":           {"Ievadiet skaitli, piemēram, 1234,50.", "Enter a number, e.g. 1234.50."},
	"js.mine":             {"Jūsu ievadītais:", "What you entered:"},
	"js.submitting":       {"Iesniedz…", "Submitting…"},
	"js.closed":           {"Aptauja ir slēgta, atbildes vairs nevar saglabāt.", "The survey is closed; answers can no longer be saved."},
	"js.leave":            {"Ir nesaglabātas izmaiņas.", "There are unsaved changes."},
	"js.notfound":         {"Saite vairs nav derīga. Nokopējiet savas atbildes un sazinieties ar koordinatoru.", "The link is no longer valid. Copy your answers and contact the coordinator."},
	"unit.money":          {"EUR", "EUR"},
	"unit.percent":        {"%", "%"},
	"municipality.label":  {"Pašvaldība", "Municipality"},
	"reference.year":      {"Pārskata gads: %d", "Reference year: %d"},
	"skip":                {"Pāriet uz anketu", "Skip to the questionnaire"},
	"skip.content":        {"Pāriet uz saturu", "Skip to content"},
	"saved.never":         {"Vēl nekas nav saglabāts", "Nothing saved yet"},
	"saved.at":            {"Pēdējoreiz saglabāts %s", "Last saved %s"},
	"footer":              {"Aptaujas dati tiek glabāti šajā serverī un netiek nodoti trešajām personām.", "Survey data is stored on this server and is not passed to third parties."},
	"section.of":          {"%d. sadaļa no %d", "Section %d of %d"},
	"limits.range":        {"No %s līdz %s", "From %s to %s"},
	"limits.min":          {"Vismaz %s", "At least %s"},
	"limits.max":          {"Ne vairāk kā %s", "At most %s"},
	"limits.length":       {"Līdz %d rakstzīmēm", "Up to %d characters"},
	"choose.many":         {"Var atzīmēt vairākus.", "You may choose several."},

	// Co-editing, progress by required questions, warnings.
	"progress.sr.done":         {"visi obligātie aizpildīti", "all required answered"},
	"progress.sr.none":         {"nav obligāto jautājumu", "no required questions"},
	"overall":                  {"Aizpildīti %d no %d obligātajiem jautājumiem", "%d of %d required questions answered"},
	"overall.done":             {"Visi obligātie jautājumi aizpildīti", "All required questions answered"},
	"tracker.section.required": {"obligātie %d no %d", "required %d of %d"},
	"comments.count":           {"komentāri: %d", "comments: %d"},
	"conflict.body.merge":      {"Kolēģis mainīja arī tos pašus jautājumus, ko jūs:", "Your colleague also changed the same questions as you:"},
	"conflict.body.choose":     {"Pārējās kolēģa atbildes jau ir formā. Pie katra no šiem jautājumiem redzama kolēģa atbilde, bet laukā ir jūsu ievadītā. Atzīmējiet „Pieņemt kolēģa atbildi“, kur jāpaliek kolēģa atbildei, un saglabājiet.", "Your colleague’s other answers are already in the form. Each of these questions shows your colleague’s answer, and the field holds what you entered. Tick “Take my colleague’s answer” where theirs should stay, and save."},
	"conflict.theirs.label":    {"Kolēģa atbilde:", "Your colleague’s answer:"},
	"conflict.take":            {"Pieņemt kolēģa atbildi", "Take my colleague’s answer"},
	"conflict.keep.hint":       {"Ja neatzīmēsiet, tiks saglabāta jūsu atbilde.", "If you leave this unticked, your answer is saved."},
	"merged.flash":             {"Kolēģis tikko aizpildīja šos jautājumus, un viņa atbildes ir saglabātas kopā ar jūsējām:", "A colleague has just filled in these questions; their answers are saved together with yours:"},
	"merged.notsubmitted":      {"Jūsu atbildes ir saglabātas, bet anketa vēl nav iesniegta: tikmēr kolēģis aizpildīja vēl dažus jautājumus. Pārskatiet tos un iesniedziet vēlreiz.", "Your answers have been saved, but the questionnaire has not been submitted yet: meanwhile a colleague filled in some more questions. Review them and submit again."},
	"errors.save.form":         {"Nekas netika saglabāts, jo dažas atbildes jāizlabo. Viss, ko ievadījāt, ir redzams zemāk: izlabojiet atzīmētos jautājumus un saglabājiet vēlreiz.", "Nothing was saved because some answers need correcting. Everything you entered is shown below: correct the questions marked and save again."},
	"js.conflict.body":         {"Kolēģis mainīja arī dažus no tiem pašiem jautājumiem, ko jūs. Pie katra izvēlieties, kuru atbildi paturēt; pārējās kolēģa atbildes jau ir ielādētas formā.", "Your colleague changed some of the same questions as you. For each, choose which answer to keep; your colleague’s other answers have already been loaded into the form."},
	"js.conflict.left":         {"Vēl jāizvēlas: %d", "Still to choose: %d"},
	"js.theirs":                {"Kolēģa atbilde:", "Your colleague’s answer:"},
	"js.keep.mine":             {"Paturēt manu", "Keep mine"},
	"js.take.theirs":           {"Pieņemt kolēģa", "Take theirs"},
	"js.merged":                {"Kolēģis tikko aizpildīja: %s", "A colleague has just filled in: %s"},
	"js.merged.submit":         {"Anketa vēl nav iesniegta: kolēģis tikko aizpildīja vēl dažus jautājumus (%s). Pārskatiet tos un iesniedziet vēlreiz.", "The questionnaire has not been submitted yet: a colleague has just filled in some more questions (%s). Review them and submit again."},

	// The server or its database briefly unavailable (503): pages, the API,
	// and the form's save bar, which keeps what was typed and tries again.
	"unavailable.title":     {"Serveris īslaicīgi nepieejams", "The server is temporarily unavailable"},
	"unavailable.body":      {"Serveris īslaicīgi nepieejams: datubāze šobrīd neatbild. Mēģiniet vēlreiz pēc brīža. Ja sūtījāt veidlapu, atgriezieties ar pārlūka pogu „Atpakaļ“ (ievadītais tur paliek) un nosūtiet to vēlreiz.", "The server is temporarily unavailable: the database is not answering right now. Please try again in a moment. If you sent a form, go back with the browser’s Back button (what you entered is still there) and send it again."},
	"unavailable.api":       {"Serveris īslaicīgi nepieejams; mēģiniet vēlreiz pēc brīža.", "The server is temporarily unavailable; please try again in a moment."},
	"js.unavailable":        {"Serveris īslaicīgi nepieejams; ievadītais paliek šajā lapā, mēģinām vēlreiz — neaizveriet lapu.", "The server is temporarily unavailable; what you entered stays on this page and we keep trying — do not close the page."},
	"js.unavailable.submit": {"Serveris īslaicīgi nepieejams, tāpēc anketa vēl nav iesniegta. Ievadītais paliek šajā lapā; pēc brīža nospiediet „Iesniegt anketu“ vēlreiz.", "The server is temporarily unavailable, so the questionnaire has not been submitted yet. What you entered stays on this page; press “Submit the questionnaire” again in a moment."},

	// The printable copy of the answers (print.html) and its link on the form.
	"print.link":              {"Drukāt / saglabāt PDF", "Print / save as PDF"},
	"print.title":             {"%s — atbilžu kopija (%d)", "%s — copy of the answers (%d)"},
	"print.kind":              {"Atbilžu kopija", "Copy of the answers"},
	"print.refyear":           {"Pārskata gads", "Reference year"},
	"print.status":            {"Statuss", "Status"},
	"print.status.draft":      {"Nav iesniegta (melnraksts)", "Not submitted (draft)"},
	"print.status.submitted":  {"Iesniegta %s", "Submitted on %s"},
	"print.status.returned":   {"Atgriezta labošanai (iepriekš iesniegta %s)", "Returned for correction (last submitted on %s)"},
	"print.status.changed":    {"Pēc iesniegšanas ir izmaiņas, kas vēl nav iesniegtas.", "There are changes made after submitting that have not been submitted."},
	"print.copy":              {"Šajā kopijā", "This copy shows"},
	"print.copy.working":      {"pēdējās saglabātās atbildes", "the latest saved answers"},
	"print.copy.submitted":    {"iesniegtās atbildes (iesniegtas %s)", "the submitted answers (submitted on %s)"},
	"print.version":           {"Versija", "Version"},
	"print.prepared":          {"Sagatavots", "Prepared"},
	"print.differs.submitted": {"Iesniegtās atbildes atšķiras no šīm.", "The submitted answers differ from these."},
	"print.show.submitted":    {"Rādīt iesniegtās atbildes", "Show the submitted answers"},
	"print.differs.working":   {"Pēdējās saglabātās atbildes atšķiras no šīm, bet tās vēl nav iesniegtas.", "The latest saved answers differ from these but have not been submitted."},
	"print.show.working":      {"Rādīt pēdējās saglabātās atbildes", "Show the latest saved answers"},
	"print.hint":              {"Drukāt var arī ar pārlūka komandu „Drukāt“ (Ctrl+P). Lai saglabātu PDF datni, kā printeri izvēlieties „Saglabāt kā PDF“.", "You can also print with the browser’s Print command (Ctrl+P). To keep a PDF file, choose “Save as PDF” as the printer."},

	// The municipality's results (results.html) and their link on the form.
	"results.link":       {"Rezultāti", "Results"},
	"results.title":      {"Rezultāti", "Results"},
	"results.page.title": {"Rezultāti — %s", "Results — %s"},
	"results.released":   {"Publicēti %s. Pārskats veidots no visu pašvaldību pašlaik iesniegtajām atbildēm.", "Published on %s. The report is built from the answers all municipalities have submitted by now."},
	"results.xlsx":       {"Lejupielādēt Excel failā (.xlsx)", "Download as an Excel file (.xlsx)"},
	"results.form":       {"Uz anketu", "To the questionnaire"},
	"results.notyet":     {"Jūsu pašvaldības rezultāti vēl nav publicēti. Kad aptaujas koordinatori tos publicēs, tie būs redzami šajā lapā.", "Your municipality’s results have not been published yet. Once the survey coordinators publish them, they will be shown on this page."},
	"results.returned":   {"Jūsu pašvaldības atbildes ir atgrieztas labošanai, tāpēc rezultāti pašlaik nav redzami. Tie atkal būs redzami, kad anketu iesniegsiet atkārtoti.", "Your municipality’s answers have been returned for correction, so the results are not shown now. They will be shown again once you submit the questionnaire again."},
}

// T returns the message in the language, formatted with args.
func (l lang) T(key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		if m, ok = staffMessages[key]; !ok {
			if m, ok = reportMessages[key]; !ok {
				return key
			}
		}
	}
	s := m[0]
	if l == en {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Latvian month names in the cases dates need: "no 1. decembra" (genitive),
// "līdz 15. decembrim" (dative), "1. decembrī" (locative).
var (
	monthsGen = [12]string{"janvāra", "februāra", "marta", "aprīļa", "maija", "jūnija", "jūlija", "augusta", "septembra", "oktobra", "novembra", "decembra"}
	monthsDat = [12]string{"janvārim", "februārim", "martam", "aprīlim", "maijam", "jūnijam", "jūlijam", "augustam", "septembrim", "oktobrim", "novembrim", "decembrim"}
	monthsLoc = [12]string{"janvārī", "februārī", "martā", "aprīlī", "maijā", "jūnijā", "jūlijā", "augustā", "septembrī", "oktobrī", "novembrī", "decembrī"}
)

// dateCase selects the grammatical case of a Latvian date.
type dateCase int

const (
	genitive dateCase = iota // no/kopš 1. decembra
	dative                   // līdz 15. decembrim
	locative                 // 3. decembrī
)

// when formats a moment for people: "2026. gada 15. decembrim plkst. 23:59"
// in Latvian (in the case asked), "15 December 2026, 23:59" in English.
func (l lang) when(t time.Time, c dateCase) string {
	if l == en {
		return t.Format("2 January 2006, 15:04")
	}
	months := monthsGen
	switch c {
	case dative:
		months = monthsDat
	case locative:
		months = monthsLoc
	}
	return fmt.Sprintf("%d. gada %d. %s plkst. %s", t.Year(), t.Day(), months[t.Month()-1], t.Format("15:04"))
}

// clock formats the time of day, "14:02".
func clock(t time.Time) string { return t.Format("15:04") }

// pickLang chooses the page language: ?lang= first, then the lang cookie,
// else Latvian.
func pickLang(query, cookie string) lang {
	for _, v := range []string{query, cookie} {
		switch strings.ToLower(v) {
		case "en":
			return en
		case "lv":
			return lv
		}
	}
	return lv
}
