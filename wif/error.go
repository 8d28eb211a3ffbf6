package wif

import (
	"errors"
	"fmt"
)

// Error codes: each maps to one HTTP status and one CLI exit behaviour.
const (
	ECONFLICT = "conflict"
	EINVALID  = "invalid"
	ENOTFOUND = "not_found"
	EINTERNAL = "internal"
	EBUSY     = "busy"      // too much work under way; try again shortly
	EREADONLY = "read_only" // the database cannot be written by this process
)

// Error is an error a user can act on. Fields maps the form fields at fault (snake_case, as the
// forms name their inputs) to a message that says what to change.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an *Error in err's chain, EINTERNAL for any other error, and ""
// for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorFields returns the field errors of an *Error in err's chain, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
