package bot

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WeChat's callbacks are flat XML: <xml><Name><![CDATA[text]]></Name>
// <Name>123</Name>…</xml>. encoding/xml's general decoder took about
// 40 µs of each callback to read the envelope and the message (about a
// tenth of serve's CPU on the chat's traffic on SQLite). flatXML reads
// that shape directly and gives up on anything else (entities,
// attributes, comments, nested or empty-tag elements, a carriage return,
// a character XML forbids, a field twice), which then goes to
// encoding/xml as before: what it accepts, it reads as encoding/xml does
// (TestFlatXMLReadsAsEncodingXML).

var (
	cdataOpen  = []byte("<![CDATA[")
	cdataClose = []byte("]]>")
)

// flatXML calls set with each element's name and text, in order, and
// reports whether body had the flat shape throughout and every set
// accepted its field.
func flatXML(body []byte, set func(name string, value []byte) bool) bool {
	b := trimXMLSpace(body)
	if !bytes.HasPrefix(b, []byte("<xml>")) || !bytes.HasSuffix(b, []byte("</xml>")) {
		return false
	}
	b = b[len("<xml>") : len(b)-len("</xml>")]
	for {
		b = trimXMLSpace(b)
		if len(b) == 0 {
			return true
		}
		if b[0] != '<' {
			return false
		}
		end := bytes.IndexByte(b, '>')
		if end < 0 || !plainName(b[1:end]) {
			return false
		}
		name := b[1:end]
		b = b[end+1:]
		var value []byte
		if bytes.HasPrefix(b, cdataOpen) {
			i := bytes.Index(b[len(cdataOpen):], cdataClose)
			if i < 0 {
				return false
			}
			value = b[len(cdataOpen) : len(cdataOpen)+i]
			b = b[len(cdataOpen)+i+len(cdataClose):]
		} else {
			i := bytes.IndexByte(b, '<')
			if i < 0 {
				return false
			}
			value = b[:i]
			if bytes.IndexByte(value, '&') >= 0 || bytes.IndexByte(value, '>') >= 0 {
				return false
			}
			b = b[i:]
		}
		n := len(name)
		if len(b) < n+3 || b[0] != '<' || b[1] != '/' || !bytes.Equal(b[2:2+n], name) || b[2+n] != '>' {
			return false
		}
		b = b[n+3:]
		if !xmlText(value) || !set(string(name), value) {
			return false
		}
	}
}

// trimXMLSpace trims the spaces, tabs and newlines around b (a carriage
// return, which XML turns into a newline, is left to encoding/xml).
func trimXMLSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

// plainName reports an element name of ASCII letters, digits and
// underscores, starting with a letter: no namespace, attribute or slash.
func plainName(b []byte) bool {
	if len(b) == 0 || !(b[0] >= 'A' && b[0] <= 'Z' || b[0] >= 'a' && b[0] <= 'z') {
		return false
	}
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// xmlText reports text that XML takes as it is: valid UTF-8 of the
// characters XML allows, and no carriage return (which XML would turn
// into a newline).
func xmlText(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 || r > 0xD7FF && r < 0xE000 || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += size
	}
	return true
}

// flatInbound reads a message's flat XML into in; false sends it to
// encoding/xml.
func flatInbound(plain []byte) (in Inbound, ok bool) {
	var seen uint16
	ok = flatXML(plain, func(name string, v []byte) bool {
		var bit uint16
		var s *string
		var n *int64
		switch name {
		case "ToUserName":
			bit, s = 1<<0, &in.ToUserName
		case "FromUserName":
			bit, s = 1<<1, &in.FromUserName
		case "CreateTime":
			bit, n = 1<<2, &in.CreateTime
		case "MsgType":
			bit, s = 1<<3, &in.MsgType
		case "Content":
			bit, s = 1<<4, &in.Content
		case "MsgId":
			bit, n = 1<<5, &in.MsgID
		case "Event":
			bit, s = 1<<6, &in.Event
		case "EventKey":
			bit, s = 1<<7, &in.EventKey
		case "Status":
			bit, s = 1<<8, &in.Status
		case "MsgID":
			bit, n = 1<<9, &in.EventMsgID
		case "MediaId":
			bit, s = 1<<10, &in.MediaID
		case "Recognition":
			bit, s = 1<<11, &in.Recognition
		default:
			return true
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		if s != nil {
			*s = string(v)
			return true
		}
		if len(v) == 0 {
			return true
		}
		x, err := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64)
		*n = x
		return err == nil
	})
	return in, ok
}

// flatEnvelope reads an encrypted callback's envelope; false sends it to
// encoding/xml.
func flatEnvelope(body []byte) (env envelope, ok bool) {
	var seen uint8
	ok = flatXML(body, func(name string, v []byte) bool {
		var bit uint8
		var s *string
		switch name {
		case "ToUserName":
			bit, s = 1, &env.ToUserName
		case "Encrypt":
			bit, s = 2, &env.Encrypt
		default:
			return true
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		*s = string(v)
		return true
	})
	return env, ok
}
