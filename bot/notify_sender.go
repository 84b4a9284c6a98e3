package bot

import (
	"context"
	"errors"

	"deputybot/notify"
)

// NotifySender adapts the WeChat client to the outbox's Sender.
type NotifySender struct{ *Client }

// SendTemplate sends a template message.
func (s NotifySender) SendTemplate(ctx context.Context, openid, templateID, url string, fields []notify.Field, clientMsgID string) (int64, error) {
	data := make([]TemplateField, len(fields))
	for i, f := range fields {
		data[i] = TemplateField{Key: f.Key, Value: f.Value}
	}
	return s.Client.SendTemplate(ctx, TemplateMessage{ToUser: openid, TemplateID: templateID, URL: url, Data: data, ClientMsgID: clientMsgID})
}

// Classify maps the client's error classes to the outbox's.
func (s NotifySender) Classify(err error) (notify.ErrClass, int) {
	var ae *APIError
	code := 0
	if errors.As(err, &ae) {
		code = ae.Code
	}
	switch {
	case code == 45015 || code == 45047:
		return notify.ClassWindow, code
	case IsAccountError(err):
		return notify.ClassAccount, code
	}
	switch Classify(err) {
	case ClassRetryable, ClassTokenInvalid:
		return notify.ClassRetryable, code
	case ClassPermanent:
		return notify.ClassPermanent, code
	}
	return notify.ClassUnknown, code
}
