package bot

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"unicode/utf8"
)

// ErrClass says what a caller should do about a failed WeChat call.
type ErrClass int

// Error classes. The zero value is ClassUnknown: when in doubt, a caller
// must assume the message may have gone out and retry only with the same
// client_msg_id (template messages) or not at all.
const (
	// ClassUnknown: the request may have reached WeChat (a timeout or a
	// connection reset after it was written, an unreadable answer). The
	// message may or may not have been delivered.
	ClassUnknown ErrClass = iota
	// ClassTokenInvalid: the access token was rejected (40001, 42001,
	// 40014) even after one refresh and retry. Nothing was sent; retry later.
	ClassTokenInvalid
	// ClassRetryable: nothing was sent and trying again later can succeed:
	// -1 system busy, 45009/45011 frequency or daily limits, HTTP 5xx, and
	// network errors before the request was written.
	ClassRetryable
	// ClassPermanent: WeChat refused this message and repeating it will
	// not help (not following, invalid openid, refused, bad template,
	// outside the 48-hour window, customer-message quota used up,
	// configuration errors). Record the code as the reason.
	ClassPermanent
)

func (c ErrClass) String() string {
	switch c {
	case ClassTokenInvalid:
		return "token_invalid"
	case ClassRetryable:
		return "retryable"
	case ClassPermanent:
		return "permanent"
	default:
		return "unknown"
	}
}

// APIError is every error the Client returns. Its text never contains
// message content, phone numbers, openids or access tokens.
type APIError struct {
	Class ErrClass
	Code  int    // WeChat errcode; 0 for transport and HTTP errors
	Msg   string // WeChat errmsg or a short description of the failure
	Op    string // the API called, e.g. "message/template/send"

	cause error // transport error without its URL (which holds the token)
}

func (e *APIError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("wechat %s: errcode %d (%s): %s", e.Op, e.Code, e.Class, e.Msg)
	}
	return fmt.Sprintf("wechat %s: %s: %s", e.Op, e.Class, e.Msg)
}

// Unwrap returns the transport cause (such as context.DeadlineExceeded), if any.
func (e *APIError) Unwrap() error { return e.cause }

// Classify returns the class of err: the Class of an *APIError in its
// chain, else ClassUnknown (the safe assumption for an error that did not
// come from the Client). err should be non-nil.
func Classify(err error) ErrClass {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Class
	}
	return ClassUnknown
}

// clientAccountCodes concern the account's configuration, not a recipient.
var clientAccountCodes = map[int]bool{40013: true, 40125: true, 40164: true, 48001: true, 61024: true}

// IsAccountError reports whether err is a problem of the account's setup
// rather than of one message: a wrong AppID or secret, a server IP missing
// from WeChat's whitelist (40164), an API the account may not use (48001),
// or any failure to get an access token. Such errors are permanent in the
// sense that retrying will not help until an operator acts, but a
// dispatcher should pause and alert rather than fail every recipient.
func IsAccountError(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	return clientAccountCodes[ae.Code] || (ae.Op == "stable_token" && ae.Code != 0)
}

// Codes by class. Codes not listed are permanent: WeChat answered, so the
// message did not go out, and an unrecognised refusal is not worth a retry
// loop; the code is kept as the reason.
//
// 45047 (customer-message quota, 5 per 48 h after a user message) is
// permanent for this channel: the budget returns only when the user writes
// again, which a backoff cannot wait for. Callers wanting to reach the user
// anyway should fall back to a template message.
var (
	clientTokenCodes     = map[int]bool{40001: true, 42001: true, 40014: true}
	clientRetryableCodes = map[int]bool{-1: true, 45009: true, 45011: true}
)

// clientClassOf classifies a nonzero WeChat errcode.
func clientClassOf(code int) ErrClass {
	switch {
	case clientTokenCodes[code]:
		return ClassTokenInvalid
	case clientRetryableCodes[code]:
		return ClassRetryable
	default:
		return ClassPermanent
	}
}

// clientCodeError builds the error for a WeChat errcode answer. The errmsg
// is WeChat's own (it does not echo the request), cut to a sane length.
func clientCodeError(op string, code int, msg string) *APIError {
	return &APIError{Class: clientClassOf(code), Code: code, Msg: clientTruncate(msg, 160), Op: op}
}

// clientSecretRE finds what a transport error may carry of the request
// URI's secrets: the access token and sometimes an openid.
var clientSecretRE = regexp.MustCompile(`(access_token|openid|secret|appsecret)=[^&\s,]+`)

// clientHTTPError is the error for a non-200 HTTP answer: 5xx means WeChat
// (or a proxy in front of it) failed before handling the call; anything
// else is a misconfigured api_base or a request WeChat will never accept.
func clientHTTPError(op string, status int) *APIError {
	class := ClassPermanent
	if status >= 500 {
		class = ClassRetryable
	}
	return &APIError{Class: class, Msg: fmt.Sprintf("HTTP %d %s", status, http.StatusText(status)), Op: op}
}

func clientTruncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
