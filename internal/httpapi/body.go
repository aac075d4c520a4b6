package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/authapi/authapi/internal/auth"
)

// Request bodies are decoded here rather than by huma so that every mistake a
// client can make comes back as FastAPI did it: 422 with one item per bad field,
// in field order. The wire struct's tags are the single description of the body:
// huma turns them into the OpenAPI schema, and fieldsOf reads the same tags here.
//   json:"name[,omitempty]"  the field; omitempty means optional
//   minLength/maxLength       limits in characters
//   format:"email"            parsed and normalised with auth.ParseEmail

// bodyField is one string field of a request body.
type bodyField struct {
	name     string
	index    int
	required bool
	min, max int
	email    bool
}

// fieldsOf reads the decoding rules from a wire struct's tags. It panics on a
// malformed tag: that is a programming error found by the first test.
func fieldsOf(t reflect.Type) []bodyField {
	fields := make([]bodyField, 0, t.NumField())
	for i := range t.NumField() {
		sf := t.Field(i)
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" || name == "-" || sf.Type.Kind() != reflect.String {
			panic(fmt.Sprintf("httpapi: body field %s must be a string with a json name", sf.Name))
		}
		f := bodyField{name: name, index: i, required: opts != "omitempty", email: sf.Tag.Get("format") == "email"}
		f.min, _ = strconv.Atoi(sf.Tag.Get("minLength"))
		f.max, _ = strconv.Atoi(sf.Tag.Get("maxLength"))
		fields = append(fields, f)
	}
	return fields
}

var errBodyTooLarge = newError(http.StatusRequestEntityTooLarge, "Request body too large")

// readJSON decodes a JSON object body into dst (a pointer to a wire struct of
// string fields) and validates it. Unknown fields are ignored, never bound: a
// client cannot set role, verified or id by sending them.
func readJSON(contentType string, body io.Reader, dst any) []error {
	_, errs := readJSONFields(contentType, body, dst)
	return errs
}

// readJSONFields is readJSON that also reports which fields the body had (a
// JSON null counts as absent), for partial updates.
func readJSONFields(contentType string, body io.Reader, dst any) (map[string]bool, []error) {
	if !isJSON(contentType) {
		return nil, []error{newError(http.StatusUnsupportedMediaType, "Content-Type must be application/json")}
	}
	data, err := io.ReadAll(body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, []error{errBodyTooLarge}
	}
	if err != nil {
		return nil, []error{newError(http.StatusBadRequest, "Could not read the request body")}
	}
	return decodeJSON(data, dst)
}

// decodeJSON is readJSONFields after the body was read; fuzz tests drive it.
func decodeJSON(data []byte, dst any) (map[string]bool, []error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []error{&validationItem{Loc: []any{"body"}, Msg: "field required", Type: "value_error.missing"}}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) || !json.Valid(data) {
			offset := int64(0)
			if syntax != nil {
				offset = syntax.Offset
			}
			return nil, []error{&validationItem{Loc: []any{"body", offset}, Msg: "Invalid JSON: " + strings.TrimPrefix(err.Error(), "json: "), Type: "value_error.jsondecode"}}
		}
		return nil, []error{&validationItem{Loc: []any{"body"}, Msg: "value is not a valid dict", Type: "type_error.dict"}}
	}
	v := reflect.ValueOf(dst).Elem()
	var errs []error
	present := map[string]bool{}
	for _, f := range fieldsOf(v.Type()) {
		s, item := f.decode(raw[f.name])
		if item != nil {
			item.Loc = []any{"body", f.name}
			errs = append(errs, item)
			continue
		}
		present[f.name] = raw[f.name] != nil && string(raw[f.name]) != "null"
		v.Field(f.index).SetString(s)
	}
	return present, errs
}

// decode checks one field's raw JSON value and returns its string value.
func (f bodyField) decode(raw json.RawMessage) (string, *validationItem) {
	if raw == nil {
		if f.required {
			return "", &validationItem{Msg: "field required", Type: "value_error.missing"}
		}
		return "", nil
	}
	var s string
	switch raw[0] {
	case 'n':
		if f.required {
			return "", &validationItem{Msg: "none is not an allowed value", Type: "type_error.none.not_allowed"}
		}
		return "", nil
	case '"':
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", &validationItem{Msg: "str type expected", Type: "type_error.str"}
		}
		if !wellFormedText(raw) {
			return "", &validationItem{Msg: "must be valid UTF-8 text: no invalid bytes or unpaired surrogates", Type: "value_error.str.unicode"}
		}
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		// The reference (pydantic v1) turns numbers into strings; clients rely on it.
		s = string(raw)
	default:
		return "", &validationItem{Msg: "str type expected", Type: "type_error.str"}
	}
	if strings.ContainsRune(s, 0) {
		return "", &validationItem{Msg: "must not contain NUL characters", Type: "value_error.str.nul"}
	}
	n := utf8.RuneCountInString(s)
	if f.min > 0 && n < f.min {
		return "", &validationItem{
			Msg:  fmt.Sprintf("ensure this value has at least %d characters", f.min),
			Type: "value_error.any_str.min_length", Ctx: map[string]any{"limit_value": f.min},
		}
	}
	if f.max > 0 && n > f.max {
		return "", &validationItem{
			Msg:  fmt.Sprintf("ensure this value has at most %d characters", f.max),
			Type: "value_error.any_str.max_length", Ctx: map[string]any{"limit_value": f.max},
		}
	}
	if f.email {
		email, err := auth.ParseEmail(s)
		if err != nil {
			return "", &validationItem{Msg: "value is not a valid email address", Type: "value_error.email"}
		}
		s = email
	}
	return s, nil
}

// isJSON accepts application/json and any +json type. A missing Content-Type is
// read as JSON, as the reference does: browsers always send one with a form, so
// this opens nothing to cross-site form posts.
func isJSON(contentType string) bool {
	if strings.TrimSpace(contentType) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// wellFormedText reports whether a JSON string literal holds only valid UTF-8
// and, in its \u escapes, only paired surrogates. encoding/json turns either
// into U+FFFD, so two different passwords would otherwise become the same one.
func wellFormedText(lit []byte) bool {
	if !utf8.Valid(lit) {
		return false
	}
	for i := 0; i < len(lit); i++ {
		if lit[i] != '\\' {
			continue
		}
		i++ // the escaped character
		if i >= len(lit) || lit[i] != 'u' {
			continue
		}
		r, ok := hex4(lit[i+1:])
		i += 4
		switch {
		case !ok || r < 0xD800 || r > 0xDFFF:
			// not a surrogate (or not hex: json.Unmarshal refused it already)
		case r >= 0xDC00:
			return false // a low surrogate with no high one before it
		default:
			if i+6 >= len(lit) || lit[i+1] != '\\' || lit[i+2] != 'u' {
				return false
			}
			low, ok := hex4(lit[i+3:])
			if !ok || low < 0xDC00 || low > 0xDFFF {
				return false
			}
			i += 6
		}
	}
	return true
}

// hex4 reads four hex digits.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}
