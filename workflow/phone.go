package workflow

import (
	"fmt"
	"slices"
	"strings"
)

// callingCodes are the international dialling codes (ITU-T E.164) and the
// countries (ISO 3166-1 alpha-2) that use them. Countries not listed get no
// phone signal: better silent than wrong.
var callingCodes = map[string][]string{
	"1": {"US", "CA", "AG", "AI", "AS", "BB", "BM", "BS", "DM", "DO", "GD", "GU", "JM", "KN",
		"KY", "LC", "MP", "MS", "PR", "SX", "TC", "TT", "VC", "VG", "VI"},
	"7":  {"RU", "KZ"},
	"20": {"EG"}, "27": {"ZA"}, "30": {"GR"}, "31": {"NL"}, "32": {"BE"}, "33": {"FR"},
	"34": {"ES"}, "36": {"HU"}, "39": {"IT", "VA"}, "40": {"RO"}, "41": {"CH"}, "43": {"AT"},
	"44": {"GB", "GG", "JE", "IM"}, "45": {"DK"}, "46": {"SE"}, "47": {"NO", "SJ"},
	"48": {"PL"}, "49": {"DE"}, "51": {"PE"}, "52": {"MX"}, "53": {"CU"}, "54": {"AR"},
	"55": {"BR"}, "56": {"CL"}, "57": {"CO"}, "58": {"VE"}, "60": {"MY"},
	"61": {"AU", "CX", "CC"}, "62": {"ID"}, "63": {"PH"}, "64": {"NZ"}, "65": {"SG"},
	"66": {"TH"}, "81": {"JP"}, "82": {"KR"}, "84": {"VN"}, "86": {"CN"}, "90": {"TR"},
	"91": {"IN"}, "92": {"PK"}, "93": {"AF"}, "94": {"LK"}, "95": {"MM"}, "98": {"IR"},
	"212": {"MA"}, "213": {"DZ"}, "216": {"TN"}, "218": {"LY"}, "221": {"SN"}, "233": {"GH"},
	"234": {"NG"}, "237": {"CM"}, "251": {"ET"}, "254": {"KE"}, "255": {"TZ"}, "256": {"UG"},
	"260": {"ZM"}, "263": {"ZW"}, "350": {"GI"}, "351": {"PT"}, "352": {"LU"}, "353": {"IE"},
	"354": {"IS"}, "355": {"AL"}, "356": {"MT"}, "357": {"CY"}, "358": {"FI", "AX"},
	"359": {"BG"}, "370": {"LT"}, "371": {"LV"}, "372": {"EE"}, "373": {"MD"}, "374": {"AM"},
	"375": {"BY"}, "376": {"AD"}, "377": {"MC"}, "378": {"SM"}, "380": {"UA"}, "381": {"RS"},
	"382": {"ME"}, "383": {"XK"}, "385": {"HR"}, "386": {"SI"}, "387": {"BA"}, "389": {"MK"},
	"420": {"CZ"}, "421": {"SK"}, "423": {"LI"}, "852": {"HK"}, "853": {"MO"}, "855": {"KH"},
	"856": {"LA"}, "880": {"BD"}, "886": {"TW"}, "960": {"MV"}, "961": {"LB"}, "962": {"JO"},
	"963": {"SY"}, "964": {"IQ"}, "965": {"KW"}, "966": {"SA"}, "967": {"YE"}, "968": {"OM"},
	"970": {"PS"}, "971": {"AE"}, "972": {"IL"}, "973": {"BH"}, "974": {"QA"}, "975": {"BT"},
	"976": {"MN"}, "977": {"NP"}, "992": {"TJ"}, "993": {"TM"}, "994": {"AZ"}, "995": {"GE"},
	"996": {"KG"}, "998": {"UZ"},
}

// countryCallingCode is the dialling code of a country, "" if not listed.
func countryCallingCode(country string) string {
	for code, cs := range callingCodes {
		if slices.Contains(cs, country) {
			return code
		}
	}
	return ""
}

// phoneCountryProblem says when an international phone number's country
// code is not the address country's. Numbers in national form (no + or
// 00) say nothing about their country and pass.
func phoneCountryProblem(phone, country string) string {
	country = strings.ToUpper(strings.TrimSpace(country))
	num := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '+' {
			return r
		}
		return -1
	}, phone)
	switch {
	case strings.HasPrefix(num, "+"):
		num = num[1:]
	case strings.HasPrefix(num, "00"):
		num = num[2:]
	default:
		return ""
	}
	home := countryCallingCode(country)
	if home == "" {
		return ""
	}
	for n := 1; n <= 3 && n <= len(num); n++ {
		cs, ok := callingCodes[num[:n]]
		if !ok {
			continue
		}
		if slices.Contains(cs, country) {
			return ""
		}
		return fmt.Sprintf("Phone %s has the code +%s (%s); the address is in %s (+%s)",
			strings.TrimSpace(phone), num[:n], strings.Join(cs[:min(len(cs), 2)], "/"), country, home)
	}
	return ""
}
